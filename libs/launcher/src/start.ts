import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startSystem, stopAll } from './index';

/** `npm start`: every service on its standard port, until Ctrl-C. */
async function main(): Promise<void> {
  const logDir = join(ROOT, '.local', 'logs');
  process.stdout.write('starting services ...\n');
  const started = Date.now();
  const services = await startSystem({ logDir });
  for (const s of services) process.stdout.write(`  ${s.name.padEnd(8)} ${s.url}  (log: ${s.logFile})\n`);
  await seedIfEmpty();
  process.stdout.write(
    `\nRUNRUN is up in ${((Date.now() - started) / 1000).toFixed(1)} s: gateway at http://127.0.0.1:8080` +
      `\nPress Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const shutdown = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping services ...\n');
    await stopAll(services);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const s of services) {
    s.process.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`${s.name} exited (code ${code}); see ${s.logFile}\n`);
      void shutdown(1);
    });
  }
}

/** Demo data on a first start (load-test/src/seed.ts; it does nothing when products exist). */
function seedIfEmpty(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'load-test', 'dist', 'seed.js')], { stdio: 'inherit' });
    child.once('exit', () => resolve());
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
