import { RunningService, startService } from '@runrun/launcher';
import { TEST_DB, TEST_ENV, TEST_LOG_DIR, wiring } from './env';
import { json, latestMailTo, newShopper, uniqueEmail, verificationLink } from '@runrun/testkit';

/** Behaviour that needs a service started with other settings than the shared test system. */
describe('with their own settings', () => {
  const started: RunningService[] = [];
  const start = async (name: string, env: Record<string, string>) => {
    const service = await startService(name, {
      portOffset: 20_000,
      instance: `${name}-own-settings`,
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...env },
    });
    started.push(service);
    return service;
  };
  afterAll(() => Promise.all(started.map((s) => s.stop())));

  it('the gateway answers 429 once a client goes over its per-second limit, per client', async () => {
    const gateway = await start('gateway', { RATE_LIMIT_PER_SECOND: '5' });
    const [a, b] = await Promise.all([newShopper(), newShopper()]);
    const burst = async (auth: Record<string, string>) =>
      Promise.all(Array.from({ length: 12 }, () => fetch(`${gateway.url}/users/whoami`, { headers: auth })));
    const first = await burst(a.auth);
    const limited = first.filter((r) => r.status === 429);
    // a window boundary may split the burst; within one second at most 5 pass
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(await limited[0].json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // another client is not affected by the first one's burst
    expect((await fetch(`${gateway.url}/users/whoami`, { headers: b.auth })).status).toBe(200);
  });

  it('an e-mail verification expires after its TTL: the link then answers NOT_VALID_EMAIL', async () => {
    const user = await start('user', {
      DB_NAME: TEST_DB.user,
      EMAIL_AUTH_TTL_SECONDS: '1',
      PUBLIC_BASE_URL: 'http://127.0.0.1:1',
      EMAIL_AUTH_CLIENT_PER_HOUR: '0', // called directly: every run would count against 127.0.0.1
    });
    const email = uniqueEmail('expiry');
    expect((await fetch(`${user.url}/users/email-auths`, json('POST', { email }))).status).toBe(200);
    const link = new URL(verificationLink((await latestMailTo(email)).text));
    await new Promise((r) => setTimeout(r, 1500));
    const res = await fetch(`${user.url}${link.pathname}${link.search}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'NOT_VALID_EMAIL' });
  });
});
