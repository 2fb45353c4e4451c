import { mysqlConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'cron-jobs',
  /** The jobs work on the order service's database. */
  db: mysqlConfig('runrun_order'),
});
export type CronConfig = ReturnType<typeof loadConfig>;
