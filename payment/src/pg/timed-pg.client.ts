import { metricsRegistry } from '@runrun/common';
import { Histogram } from 'prom-client';
import { PgClient, PgRefused, PgUnavailable } from './pg-client';

const pgDuration = new Histogram({
  name: 'runrun_pg_request_duration_seconds',
  help: 'Calls to the payment gateway by operation (confirm, cancel) and result (ok, refused, unavailable, error)',
  labelNames: ['operation', 'result'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const resultOf = (error: unknown) =>
  error instanceof PgUnavailable ? 'unavailable' : error instanceof PgRefused ? 'refused' : 'error';

async function timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
  const end = pgDuration.startTimer({ operation });
  try {
    const answer = await call();
    end({ result: 'ok' });
    return answer;
  } catch (error) {
    end({ result: resultOf(error) });
    throw error;
  }
}

/** The PG client with every call timed: the PG's latency is the payment's own during a sale. */
export const timedPg = (pg: PgClient): PgClient => ({
  confirm: (request) => timed('confirm', () => pg.confirm(request)),
  cancel: (paymentKey, reason) => timed('cancel', () => pg.cancel(paymentKey, reason)),
});
