import { envInt, mysqlConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'cron-jobs',
  /** The jobs work on the order service's database, through the order service's code. */
  db: mysqlConfig('runrun_order'),
  /** Unpaid orders older than this are cancelled (the original: 2 days). */
  unpaidTimeoutMinutes: envInt('UNPAID_ORDER_TIMEOUT_MINUTES', 2 * 24 * 60),
});
export type CronConfig = ReturnType<typeof loadConfig>;
