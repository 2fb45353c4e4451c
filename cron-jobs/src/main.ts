import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit, PinoNestLogger } from '@runrun/common';
import { AppModule } from './app.module';
import { loadConfig } from './config';
import { Jobs } from './jobs';

/** `node cron-jobs/dist/main.js <job>`: runs one job and exits 0, or 1 when it fails. */
async function main(): Promise<void> {
  const name = process.argv[2];
  const config = loadConfigOrExit('cron-jobs', loadConfig);
  const logger = createLogger('cron-jobs');
  const app = await NestFactory.createApplicationContext(AppModule.register(config, logger), {
    logger: new PinoNestLogger(logger),
  });
  const jobs = app.get(Jobs).all;
  const job = name ? jobs[name] : undefined;
  if (!job) {
    process.stderr.write(`usage: cron-jobs <job>; jobs: ${Object.keys(jobs).join(', ')}\n`);
    await app.close();
    process.exit(2);
  }
  try {
    logger.info({ job: name }, 'job started');
    const result = await job();
    logger.info({ job: name, result }, 'job finished');
  } catch (error) {
    logger.error({ err: error, job: name }, 'job failed');
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

void main();
