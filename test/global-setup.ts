import { startSystem } from '@runrun/launcher';
import { PORT_OFFSET, TEST_ENV, TEST_LOG_DIR, TEST_SERVICE_ENV } from './env';

/** Starts every service once for all integration tests (logs in .local/logs/test). */
export default async function globalSetup(): Promise<void> {
  const services = await startSystem({
    portOffset: PORT_OFFSET,
    env: TEST_ENV,
    serviceEnv: TEST_SERVICE_ENV,
    logDir: TEST_LOG_DIR,
  });
  (globalThis as { __RUNRUN__?: unknown }).__RUNRUN__ = services;
}
