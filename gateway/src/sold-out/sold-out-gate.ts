import { errorBody, metricsRegistry } from '@runrun/common';
import { REFUSALS } from '@runrun/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Counter } from 'prom-client';
import type { SoldOutFlags } from './sold-out-flags';

/**
 * Bodies larger than this, or without a Content-Length (chunked), are not looked at: the order
 * service answers them.
 */
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
    const length = Number(request.headers['content-length']);
    if (!(length > 0 && length <= MAX_JUDGED_BODY_BYTES)) return;

    const body = await readWhole(request.body);
    // what is forwarded is exactly the bytes the client sent
    request.body = Readable.from([body]);
    const refusal = flags.refusalFor(productIds(body));
    if (!refusal) return;
    refused.inc({ reason: refusal });
    const { status, code, message } = REFUSALS[refusal];
    return void reply.status(status).send(errorBody(code, message));
  };
}

/** The whole body, read by events: async iteration and re-streaming by a generator cost twice as much. */
function readWhole(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    body.once('error', reject);
  });
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
