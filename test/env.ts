import { join } from 'node:path';
import { ROOT, SERVICES, wiringEnv } from '@runrun/launcher';

/**
 * The system under test runs beside a developer's `npm start`: ports shifted by 10000, its own
 * databases, Redis db 1 and its own Kafka consumer groups, on the same local servers.
 */
export const PORT_OFFSET = 10_000;
export const TEST_DB = {
  user: 'runrun_test_user',
  brand: 'runrun_test_brand',
  order: 'runrun_test_order',
  payment: 'runrun_test_payment',
} as const;
export const TEST_MONGO_URL = 'mongodb://127.0.0.1:27017/runrun_test_product';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379/1';
export const TEST_LOG_DIR = join(ROOT, '.local', 'logs', 'test');

export const TEST_ENV: Record<string, string> = {
  REDIS_URL: TEST_REDIS_URL,
  MONGO_URL: TEST_MONGO_URL,
  KAFKA_GROUP_PREFIX: 'test-',
  LOG_LEVEL: 'info',
  FILES_DIR: join(ROOT, '.local', 'test-files'),
};
export const wiring = wiringEnv(PORT_OFFSET);
/** Base URL of each service of the system under test. */
export const url = (service: string): string =>
  `http://127.0.0.1:${SERVICES.find((s) => s.name === service)!.httpPort + PORT_OFFSET}`;

TEST_ENV.PUBLIC_FILES_URL = url('gateway');

export const TEST_SERVICE_ENV: Record<string, Record<string, string>> = {
  ...Object.fromEntries(Object.entries(TEST_DB).map(([service, db]) => [service, { DB_NAME: db }])),
  // verification links in the mails lead to the gateway under test; the tests sign up hundreds of
  // shoppers from 127.0.0.1, so the per-client mail limit is off (tested on a user service of its own)
  user: { DB_NAME: TEST_DB.user, PUBLIC_BASE_URL: url('gateway'), EMAIL_AUTH_CLIENT_PER_HOUR: '0' },
  // many test shoppers share 127.0.0.1; the limit itself is tested on a gateway of its own
  gateway: { RATE_LIMIT_PER_SECOND: '0' },
  // a sold-out flag outlives a slow test step on a busy machine (the gate is tested through the gateway)
  order: { DB_NAME: TEST_DB.order, SOLD_OUT_FLAG_MS: '3000' },
  // owed refunds are retried after 1 s, 2 s, 4 s … so a test sees one retried until the PG confirms
  payment: { DB_NAME: TEST_DB.payment, REFUND_RETRY_SECONDS: '1' },
};
