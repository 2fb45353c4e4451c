import { errorBody, metricsRegistry } from '@runrun/common';
import { REFUSALS } from '@runrun/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Counter } from 'prom-client';
import type { SoldOutFlags } from './sold-out-flags';

/** Bodies larger than this are not looked at: the order service answers them. */
const MAX_JUDGED_BODY_BYTES = 64 * 1024;

const refused = new Counter({
  name: 'runrun_gateway_sold_out_refused_total',
  help: 'Orders the gateway answered itself because a product in them was flagged (never forwarded)',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});
for (const reason of Object.keys(REFUSALS)) refused.inc({ reason }, 0);

/**
 * `POST /orders` naming a flagged product is answered here, with the status and code the order
 * service would give (409 STOCK_SHORTAGE, or 503 SERVICE_UNAVAILABLE while its breaker is open),
 * after the door let the caller in. While nothing is flagged the body is not even read. A retry
 * with an Idempotency-Key goes through: the order service may hold the answer of an order that
 * was accepted before the product sold out.
 */
export function createSoldOutGate(flags: SoldOutFlags) {
  return async function soldOutGate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (flags.empty || request.method !== 'POST' || request.url.split('?', 1)[0] !== '/orders') return;
    if (request.headers['idempotency-key'] !== undefined || request.headers['content-encoding'] !== undefined) return;
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return;
    if (!(request.body instanceof Readable)) return;

    const { head, complete } = await readHead(request);
    if (!complete) return;
    const refusal = flags.refusalFor(productIds(head));
    if (!refusal) return;
    refused.inc({ reason: refusal });
    const { status, code, message } = REFUSALS[refusal];
    return void reply.status(status).send(errorBody(code, message));
  };
}

/**
 * Reads the body up to the judged size and puts back a stream that yields exactly the bytes the
 * client sent, so what is forwarded is unchanged.
 */
async function readHead(request: FastifyRequest): Promise<{ head: Buffer; complete: boolean }> {
  const chunks = (request.body as Readable)[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  let size = 0;
  let complete = false;
  while (size <= MAX_JUDGED_BODY_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      complete = true;
      break;
    }
    read.push(next.value as Buffer);
    size += (next.value as Buffer).length;
  }
  async function* again() {
    yield* read;
    if (!complete) for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  request.body = Readable.from(again(), { objectMode: false });
  return { head: Buffer.concat(read), complete };
}

/** The product ids an order body names (`products[].id`); none when it is not such a body. */
export function productIds(body: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const products = (parsed as { products?: unknown } | null)?.products;
  if (!Array.isArray(products)) return [];
  return products.map((p) => (p as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
}
