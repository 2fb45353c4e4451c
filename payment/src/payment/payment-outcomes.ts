import { AppException, metricsRegistry } from '@runrun/common';
import { Counter } from 'prom-client';

const payments = new Counter({
  name: 'runrun_payments_total',
  help: 'Payment confirmations by outcome: COMPLETED, or the error code answered (PAYMENT_FAILED, STOCK_SHORTAGE, ...)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

// from 0, so the first payments of a sale show in rates
for (const outcome of ['COMPLETED', 'PAYMENT_FAILED']) payments.inc({ outcome }, 0);

/** Counts how a confirmation ended, as the shopper was answered. */
export async function countPaymentOutcome(confirm: Promise<void>): Promise<void> {
  try {
    await confirm;
    payments.inc({ outcome: 'COMPLETED' });
  } catch (error) {
    payments.inc({ outcome: error instanceof AppException ? error.code : 'ERROR' });
    throw error;
  }
}
