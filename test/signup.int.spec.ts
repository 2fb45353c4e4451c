import Redis from 'ioredis';
import { randomInt } from 'node:crypto';
import { RunningService, startService } from '@runrun/launcher';
import {
  gateway,
  json,
  latestMailTo,
  login,
  mailCountTo,
  openVerificationLink,
  openVerificationMail,
  PASSWORD,
  requestVerificationMail,
  signUp,
  signUpForm,
  uniqueEmail,
  verificationLink,
} from '@runrun/testkit';
import { TEST_DB, TEST_ENV, TEST_LOG_DIR, TEST_REDIS_URL, wiring } from './env';

/**
 * Sign-up is bound to the client that opened the mailed link (a one-time ticket), no endpoint
 * tells a prober anything about an address, and verification mails are rate-limited.
 */
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(gateway(path), json('POST', body, headers));
const signUpWith = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  post('/users/signup', { ...signUpForm(email), ...extra }, headers);
const answer = async (res: Response) => {
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as { code?: string; message?: unknown };
  return { status: res.status, code: body.code, message: body.message };
};
/** A verification requested and its link opened: the ticket the victim's browser now holds. */
const verified = async (email = uniqueEmail()) => {
  await requestVerificationMail(email);
  return { email, ...(await openVerificationMail(email)) };
};

describe('only the client that opened the mailed link can finish the sign-up', () => {
  it('someone who knows a verified address but has no ticket cannot sign up; the owner then can', async () => {
    const email = uniqueEmail();
    await requestVerificationMail(email);
    const opened = await fetch(verificationLink((await latestMailTo(email)).text)); // the owner clicks
    expect(opened.status).toBe(200);

    const attacker = { ...signUpForm(email), password: 'Attacker-pass1!' };
    const attempts = [
      await post('/users/signup', attacker),
      await post('/users/signup', { ...attacker, signupTicket: 'made-up-ticket' }),
      await post('/users/signup', attacker, { cookie: 'signupTicket=made-up-ticket' }),
    ];
    for (const res of attempts) expect(await answer(res)).toMatchObject({ status: 401, code: 'NOT_VERIFIED_EMAIL' });

    const { signupTicket } = (await opened.json()) as { signupTicket: string };
    expect((await signUpWith(email, { signupTicket })).status).toBe(200);
    await login(email, PASSWORD); // the owner's password, not the attacker's
    expect((await post('/users/login', { email, password: 'Attacker-pass1!' })).status).toBe(401);
  });

  it("a ticket for one address cannot sign up another; the ticket's own address still can", async () => {
    const [a, b] = await Promise.all([verified(), verified()]);
    expect(await answer(await signUpWith(b.email, { signupTicket: a.ticket }))).toMatchObject({
      status: 401,
      code: 'NOT_VERIFIED_EMAIL',
    });
    expect((await signUpWith(a.email, { signupTicket: a.ticket })).status).toBe(200);
    expect((await signUpWith(b.email, { signupTicket: b.ticket })).status).toBe(200);
  });

  it('a used ticket cannot be used again, and the verification is deleted by the sign-up', async () => {
    const { email, ticket } = await verified();
    expect((await signUpWith(email, { signupTicket: ticket })).status).toBe(200);
    // not even its owner learns more than "no valid ticket" from it
    expect(await answer(await signUpWith(email, { signupTicket: ticket }))).toMatchObject({
      status: 401,
      code: 'NOT_VERIFIED_EMAIL',
    });
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.exists(`email-auths:${email}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('concurrent sign-ups with one ticket: exactly one succeeds', async () => {
    const { email, ticket } = await verified();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => signUpWith(email, { signupTicket: ticket, name: `동시${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 401)).toBe(true);
  });

  it('opening the link again hands out a fresh ticket and the earlier one stops working (mail scanners)', async () => {
    const email = uniqueEmail();
    await requestVerificationMail(email);
    const link = verificationLink((await latestMailTo(email)).text);
    const scanner = await openVerificationLink(link);
    const shopper = await openVerificationLink(link);
    expect(shopper.ticket).not.toBe(scanner.ticket);
    expect((await signUpWith(email, { signupTicket: scanner.ticket })).status).toBe(401);
    expect((await signUpWith(email, { signupTicket: shopper.ticket })).status).toBe(200);
  });

  it('in a browser: opening the link sets the HttpOnly ticket cookie, and sign-up with the cookie alone works', async () => {
    const email = uniqueEmail();
    await requestVerificationMail(email);
    const res = await fetch(verificationLink((await latestMailTo(email)).text));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { signupTicket, expiresInSeconds } = (await res.json()) as { signupTicket: string; expiresInSeconds: number };
    expect(expiresInSeconds).toBe(30 * 3600);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('signupTicket='))!;
    const attributes = setCookie.split(';').map((part) => part.trim());
    expect(attributes).toEqual(
      expect.arrayContaining([
        `signupTicket=${signupTicket}`,
        'Path=/users/signup',
        'HttpOnly',
        'SameSite=Lax',
        `Max-Age=${expiresInSeconds}`,
      ]),
    );

    const signedUp = await signUpWith(email, {}, { cookie: `other=1; signupTicket=${signupTicket}` });
    expect(signedUp.status).toBe(200);
    // the used ticket's cookie is removed
    expect(signedUp.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^signupTicket=; Path=\/users\/signup; Max-Age=0;/),
    ]);
    await login(email);
  });
});

describe('no endpoint tells a prober the state of an address', () => {
  const verify = (email: string, code: string) =>
    fetch(gateway(`/users/email-auths/verify?email=${encodeURIComponent(email)}&code=${code}`));

  it('the verification link answers every failure the same way', async () => {
    const wrongCode = 'f'.repeat(32);
    const pending = uniqueEmail();
    await requestVerificationMail(pending);
    const alreadyVerified = (await verified()).email;
    const registered = await signUp();

    const answers = [
      await answer(await verify(uniqueEmail(), wrongCode)), // never asked for
      await answer(await verify(pending, wrongCode)), // mail sent, wrong code
      await answer(await verify(alreadyVerified, wrongCode)), // link opened, wrong code
      await answer(await verify(registered, wrongCode)), // signed up
    ];
    expect(answers[0]).toEqual({ status: 400, code: 'NOT_VALID_EMAIL', message: expect.any(String) });
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
  });

  it('asking for a mail answers the same for a registered and an unregistered address; only the mail differs', async () => {
    const registered = await signUp();
    const fresh = uniqueEmail();
    // the registered address's own sign-up asked for a mail less than a minute ago: let the
    // per-address interval pass without waiting, so that both requests are counted alike
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys('{email-auth-limits}:address:*:interval');
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    const [a, b] = await Promise.all([
      post('/users/email-auths', { email: registered }),
      post('/users/email-auths', { email: fresh }),
    ]);
    expect({ status: a.status, body: await a.text() }).toEqual({ status: 200, body: '' });
    expect({ status: b.status, body: await b.text() }).toEqual({ status: 200, body: '' });

    expect(verificationLink((await latestMailTo(fresh)).text)).toContain('/users/email-auths/verify');
    let mail = await latestMailTo(registered);
    for (let i = 0; i < 50 && mail.subject.includes('Verify'); i++) mail = await latestMailTo(registered);
    expect(mail.subject).toContain('already have an account');
    expect(() => verificationLink(mail.text)).toThrow();
  });

  it('sign-up without a ticket is 401 for a registered address too, never "already registered"', async () => {
    const registered = await signUp();
    expect(await answer(await signUpWith(registered))).toMatchObject({ status: 401, code: 'NOT_VERIFIED_EMAIL' });
    expect(await answer(await signUpWith(uniqueEmail()))).toMatchObject({ status: 401, code: 'NOT_VERIFIED_EMAIL' });
  });
});

describe('how often verification mails may be asked for', () => {
  it('per address: a second mail within a minute is refused with 429; another address is not affected', async () => {
    const email = uniqueEmail('limited');
    expect((await post('/users/email-auths', { email })).status).toBe(200);
    const refused = await post('/users/email-auths', { email: email.toUpperCase() }); // one mailbox, any case
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await refused.json()) as object).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    await latestMailTo(email);
    expect(await mailCountTo(email)).toBe(1);

    expect((await post('/users/email-auths', { email: uniqueEmail('other') })).status).toBe(200);
    // a registered address is counted like any other
    const registered = await signUp();
    expect((await post('/users/email-auths', { email: registered })).status).toBe(429);
  });

  describe('on a user service of its own', () => {
    let user: RunningService;
    const clientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`;
    const request = (email: string, client?: string) =>
      fetch(`${user.url}/users/email-auths`, json('POST', { email }, client ? { 'x-client-ip': client } : {}));
    const statuses = async (emails: string[], client?: string) => {
      const out: number[] = [];
      for (const email of emails) out.push((await request(email, client)).status);
      return out;
    };
    /** The link of the newest mail, pointed at this instance. */
    const newestLink = async (email: string) => {
      const link = new URL(verificationLink((await latestMailTo(email)).text));
      return `${user.url}${link.pathname}${link.search}`;
    };

    beforeAll(async () => {
      user = await startService('user', {
        portOffset: 20_000,
        instance: 'user-mail-limits',
        logDir: TEST_LOG_DIR,
        env: {
          ...TEST_ENV,
          ...wiring,
          DB_NAME: TEST_DB.user,
          PUBLIC_BASE_URL: 'http://127.0.0.1:1',
          EMAIL_AUTH_ADDRESS_INTERVAL_SECONDS: '0',
          EMAIL_AUTH_ADDRESS_PER_HOUR: '3',
          EMAIL_AUTH_CLIENT_PER_HOUR: '4',
        },
      });
    });
    afterAll(() => user?.stop());

    it('per address per hour: the fourth mail within the hour is refused, whoever asks', async () => {
      const email = uniqueEmail('hourly');
      expect(await statuses([email, email, email], clientIp())).toEqual([200, 200, 200]);
      const refused = await request(email, clientIp());
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(await statuses([uniqueEmail('hourly')], clientIp())).toEqual([200]);
    });

    it('per client (X-CLIENT-IP from the gateway): the fifth request within the hour is refused; another client is not', async () => {
      const client = clientIp();
      const emails = Array.from({ length: 5 }, () => uniqueEmail('client'));
      expect(await statuses(emails, client)).toEqual([200, 200, 200, 200, 429]);
      expect(await mailCountTo(emails[4])).toBe(0);
      expect(await statuses([uniqueEmail('client')], clientIp())).toEqual([200]);
      expect(await statuses([uniqueEmail('client')], client)).toEqual([429]);
    });

    it('without X-CLIENT-IP (not through the gateway) a client is counted by its own address', async () => {
      const redis = new Redis(TEST_REDIS_URL);
      const keys = ['127.0.0.1', '::ffff:127.0.0.1'].map((ip) => `{email-auth-limits}:client:${ip}:hour`);
      try {
        await redis.del(...keys);
        const emails = Array.from({ length: 5 }, () => uniqueEmail('direct'));
        expect(await statuses(emails)).toEqual([200, 200, 200, 200, 429]);
        expect(await statuses([uniqueEmail('direct')], clientIp())).toEqual([200]);
      } finally {
        await redis.del(...keys); // leave no count against this machine behind
        redis.disconnect();
      }
    });

    it('a new mail replaces the earlier code: its link and any ticket it handed out stop working', async () => {
      const email = uniqueEmail('again');
      const client = clientIp();
      await request(email, client);
      const firstLink = await newestLink(email);
      const firstTicket = await openVerificationLink(firstLink);
      await request(email, client);
      let secondLink = firstLink;
      for (let i = 0; i < 50 && secondLink === firstLink; i++) secondLink = await newestLink(email);
      expect(secondLink).not.toBe(firstLink);

      expect(await answer(await fetch(firstLink))).toMatchObject({ status: 400, code: 'NOT_VALID_EMAIL' });
      const signUpHere = (ticket: string) =>
        fetch(`${user.url}/users/signup`, json('POST', { ...signUpForm(email), signupTicket: ticket }));
      expect((await signUpHere(firstTicket.ticket)).status).toBe(401);
      const { ticket } = await openVerificationLink(secondLink);
      expect((await signUpHere(ticket)).status).toBe(200);
    });
  });
});
