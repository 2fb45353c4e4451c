import { RunningService, startService } from '@runrun/launcher';
import { newShopper } from '@runrun/testkit';
import { randomUUID } from 'node:crypto';
import { TEST_ENV, TEST_LOG_DIR, wiring } from './env';
import { OwnRedis } from './redis-servers';

/** The gateway's rate limit and its answer when Redis fails, on gateways of their own. */
describe('gateway limits', () => {
  const started: RunningService[] = [];
  const start = async (instance: string, httpPort: number, env: Record<string, string>) => {
    const service = await startService('gateway', {
      instance,
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, HTTP_PORT: String(httpPort), ...env },
    });
    started.push(service);
    return service;
  };
  afterAll(() => Promise.all(started.map((s) => s.stop())));

  /** `count` requests at once; the statuses in order. */
  const burst = (count: number, send: (i: number) => Promise<Response>) =>
    Promise.all(Array.from({ length: count }, (_, i) => send(i).then((r) => r.status)));
  const passed = (statuses: number[]) => statuses.filter((s) => s !== 429).length;
  // a fresh client address per test: counts of earlier runs never interfere
  const address = () => `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
  const catalogue = (gateway: RunningService, headers: Record<string, string>) =>
    fetch(`${gateway.url}/products?size=1`, { headers });

  let behindIngress: RunningService;
  let direct: RunningService;
  let second: RunningService;

  beforeAll(async () => {
    [behindIngress, direct, second] = await Promise.all([
      start('gateway-trusting-proxy', 14080, { RATE_LIMIT_PER_SECOND: '5', TRUSTED_PROXIES: '127.0.0.1/32' }),
      start('gateway-direct', 14081, { RATE_LIMIT_PER_SECOND: '5' }),
      start('gateway-direct-2', 14082, { RATE_LIMIT_PER_SECOND: '5' }),
    ]);
  });

  it('holds across replicas: one user spread over two gateways gets the limit once', async () => {
    const shopper = await newShopper();
    const statuses = await burst(20, (i) =>
      fetch(`${(i % 2 ? direct : second).url}/users/whoami`, { headers: shopper.auth }),
    );
    // sent at once, they fall in one window (it starts with the first): 5 pass, not 5 per replica
    expect(passed(statuses)).toBe(5);
  });

  it('behind a trusted proxy, anonymous clients are counted by their own forwarded address', async () => {
    const a = address();
    const b = a.replace(/\d+$/, (n) => String((Number(n) % 250) + 1));
    const first = await burst(12, () => catalogue(behindIngress, { 'x-forwarded-for': a }));
    expect(passed(first)).toBeLessThanOrEqual(5);
    // another client behind the same proxy has its own bucket
    expect((await catalogue(behindIngress, { 'x-forwarded-for': b })).status).toBe(200);
  });

  it('behind a trusted proxy, what the client itself wrote into X-Forwarded-For is not believed', async () => {
    const client = address();
    // the proxy appends the address it saw; the client's own entries come before it
    const statuses = await burst(12, () =>
      catalogue(behindIngress, { 'x-forwarded-for': `${randomUUID().slice(0, 8)}.example, ${client}` }),
    );
    expect(passed(statuses)).toBeLessThanOrEqual(5);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored: a new header does not buy a new bucket', async () => {
    const statuses = await burst(12, (i) => catalogue(direct, { 'x-forwarded-for': `203.0.113.${i + 1}` }));
    expect(passed(statuses)).toBeLessThanOrEqual(5);
    const res = await catalogue(direct, { 'x-forwarded-for': '203.0.113.200' });
    if (res.status === 429) expect(await res.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('answers 503 with the envelope, nothing internal, when its Redis is down; recovers after', async () => {
    const redis = new OwnRedis(16390);
    await redis.start();
    try {
      const shopper = await newShopper();
      const gateway = await start('gateway-own-redis', 14083, { REDIS_URL: redis.url, RATE_LIMIT_PER_SECOND: '50' });
      expect((await fetch(`${gateway.url}/users/whoami`, { headers: shopper.auth })).status).toBe(200);
      await redis.stop();
      for (const res of [
        await fetch(`${gateway.url}/users/whoami`, { headers: shopper.auth }),
        await catalogue(gateway, {}),
      ]) {
        expect(res.status).toBe(503);
        const body = await res.text();
        expect(JSON.parse(body)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
        expect(body).not.toMatch(/redis|ECONN|stream|connection/i);
      }
      await redis.start();
      await new Promise((r) => setTimeout(r, 1500));
      expect((await catalogue(gateway, {})).status).toBe(200);
    } finally {
      await redis.stop();
    }
  });
});
