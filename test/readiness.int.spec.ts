import { startService, RunningService, waitReady } from '@runrun/launcher';
import { TEST_LOG_DIR } from './env';
import { OwnRedis } from './redis-servers';

/**
 * A service reports not ready while a server it uses is down, and ready again once it is back.
 * The server stopped here is a Redis of this test's own, so nothing else is disturbed.
 */
async function readiness(
  service: RunningService,
): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const res = await fetch(`${service.url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}

describe('readiness follows the servers a service uses', () => {
  const redis = new OwnRedis(16390);
  let gateway: RunningService;

  beforeAll(async () => {
    await redis.start();
    gateway = await startService('gateway', {
      portOffset: 20_000,
      instance: 'gateway-readiness',
      logDir: TEST_LOG_DIR,
      env: { REDIS_URL: redis.url },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await redis.stop();
  });

  it('turns 503 naming redis when Redis stops, and 200 again when it is back', async () => {
    expect((await readiness(gateway)).status).toBe(200);

    await redis.stop();
    const down = await readiness(gateway);
    expect(down.status).toBe(503);
    expect(down.body.checks.redis).toMatch(/^down/);
    // still alive: only readiness changes
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);

    await redis.start();
    await waitReady(gateway.url, 15_000);
    expect((await readiness(gateway)).body.checks).toEqual({ redis: 'up' });
  });

  it('answers 503 within seconds, not never, while Redis hangs; 200 again once it answers', async () => {
    // anonymous: the door asks Redis (revocations, the rate limit) before it answers 401
    expect((await fetch(`${gateway.url}/users/whoami`)).status).toBe(401);

    redis.pause();
    try {
      const started = Date.now();
      const [call, ready] = await Promise.all([fetch(`${gateway.url}/users/whoami`), readiness(gateway)]);
      expect({ status: call.status, code: ((await call.json()) as { code: string }).code }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(ready.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      redis.resume();
    }
    await waitReady(gateway.url, 15_000);
    expect((await fetch(`${gateway.url}/users/whoami`)).status).toBe(401);
  });
});
