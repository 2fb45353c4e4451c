import { envInt, mysqlConfig } from '@runrun/common';
import { paymentWindowConfig } from '@runrun/order/jobs';

export const loadConfig = () => ({
  name: 'cron-jobs',
  /** The jobs work on the order service's database, through the order service's code. */
  db: mysqlConfig('runrun_order'),
  /**
   * order-cancel: with UNPAID_ORDER_TIMEOUT_MINUTES set, unpaid orders older than this are
   * cancelled (0: every unpaid order, as tests and benchmarks use it); unset, those past their
   * payment deadline (PAYMENT_WINDOW_SECONDS, PAYMENT_GRACE_SECONDS), as the order service sweeps.
   */
  unpaidTimeoutMinutes: process.env.UNPAID_ORDER_TIMEOUT_MINUTES?.trim()
    ? envInt('UNPAID_ORDER_TIMEOUT_MINUTES')
    : undefined,
  payment: paymentWindowConfig(),
});
export type CronConfig = ReturnType<typeof loadConfig>;
