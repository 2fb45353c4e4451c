import { ROOT, startSystem } from '@runrun/launcher';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PORT_OFFSET, TEST_ENV, TEST_LOG_DIR, TEST_SERVICE_ENV } from './env';
import { withMongo } from './stores';

/** Starts every service once for all integration tests (logs in .local/logs/test). */
export default async function globalSetup(): Promise<void> {
  // the topics and their dead-letter topics, even on a broker started before they were added
  execFileSync(process.execPath, [join(ROOT, 'infra', 'create-topics.mjs')], { stdio: 'ignore' });
  // FerretDB's writes slow down as the collections grow: every run starts from an empty catalogue
  // (the product service writes the category tree again on start)
  await withMongo((db) => db.dropDatabase());
  const services = await startSystem({
    portOffset: PORT_OFFSET,
    env: TEST_ENV,
    serviceEnv: TEST_SERVICE_ENV,
    logDir: TEST_LOG_DIR,
  });
  (globalThis as { __RUNRUN__?: unknown }).__RUNRUN__ = services;
}
