import { startService, RunningService, waitReady } from '@runrun/launcher';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_LOG_DIR } from './env';

/**
 * A service reports not ready while a server it uses is down, and ready again once it is back.
 * The server stopped here is a Redis of this test's own, so nothing else is disturbed.
 */
const REDIS_PORT = 16390;
const dir = mkdtempSync(join(tmpdir(), 'runrun-redis-'));
const startRedis = async (): Promise<ChildProcess> => {
  const redis = spawn(
    'redis-server',
    ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  return redis;
};
const stop = (p: ChildProcess) => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM')));

async function readiness(
  service: RunningService,
): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const res = await fetch(`${service.url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}

describe('readiness follows the servers a service uses', () => {
  let redis: ChildProcess;
  let gateway: RunningService;

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startService('gateway', {
      portOffset: 20_000,
      instance: 'gateway-readiness',
      logDir: TEST_LOG_DIR,
      env: { REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    if (redis.exitCode === null) await stop(redis);
  });

  it('turns 503 naming redis when Redis stops, and 200 again when it is back', async () => {
    expect((await readiness(gateway)).status).toBe(200);

    await stop(redis);
    const down = await readiness(gateway);
    expect(down.status).toBe(503);
    expect(down.body.checks.redis).toMatch(/^down/);
    // still alive: only readiness changes
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);

    redis = await startRedis();
    await waitReady(gateway.url, 15_000);
    expect((await readiness(gateway)).body.checks).toEqual({ redis: 'up' });
  });
});
