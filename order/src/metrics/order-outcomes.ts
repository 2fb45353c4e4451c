import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { metricsRegistry } from '@runrun/common';
import { Counter } from 'prom-client';

const accepted = new Counter({
  name: 'runrun_orders_accepted_total',
  help: 'Orders accepted (units reserved, awaiting payment), as answered to POST /orders',
  registers: [metricsRegistry],
});
const refused = new Counter({
  name: 'runrun_orders_refused_total',
  help: 'Orders refused, by the error code answered (STOCK_SHORTAGE, SERVICE_UNAVAILABLE, ...)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

// from 0, so the first refusals of a sale show in rates
for (const reason of ['STOCK_SHORTAGE', 'SERVICE_UNAVAILABLE']) refused.inc({ reason }, 0);

/** Error codes are a fixed set in the code; anything else (a proxy's page) is one reason. */
const CODE = /^[A-Z][A-Z_]{1,60}$/;

function reasonOf(payload: unknown): string {
  if (typeof payload !== 'string') return 'UNKNOWN';
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' && CODE.test(code) ? code : 'UNKNOWN';
  } catch {
    return 'UNKNOWN';
  }
}

/**
 * Counts every answer of POST /orders by what the shopper got, whichever path answered it (the
 * breaker gate, validation, the service, an idempotent replay), from the body sent.
 */
export function countOrderOutcomes(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'POST' || request.routeOptions.url !== '/orders') return payload;
      if (reply.statusCode < 400) accepted.inc();
      else refused.inc({ reason: reasonOf(payload) });
      return payload;
    });
}
