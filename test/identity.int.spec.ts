import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { url } from './env';
import {
  gateway,
  json,
  latestMailTo,
  login,
  newShopper,
  openVerificationLink,
  openVerificationMail,
  PASSWORD,
  requestVerificationMail,
  signUp,
  signUpForm,
  uniqueEmail,
  verificationLink,
} from '@runrun/testkit';

/** The local development secret the test system runs with (no JWT_SECRET set). */
const DEV_SECRET = 'runrun-local-development-jwt-secret-not-for-production';
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: object, secret = DEV_SECRET, options: jwt.SignOptions = { algorithm: 'HS256' }) =>
  jwt.sign({ iat: now(), exp: now() + 3600, jti: randomUUID(), gen: 0, typ: 'access', ...claims }, secret, options);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const status = async (path: string, init: RequestInit = {}) => (await fetch(gateway(path), init)).status;

describe('sign-up, verification, login and logout through the gateway', () => {
  it('goes from the e-mail to a protected call, and logout refuses the same token', async () => {
    const email = uniqueEmail();
    expect(await status('/users/email-auths', json('POST', { email }))).toBe(200);
    const mail = await latestMailTo(email);
    expect(mail.subject).toContain('Verify your email');
    const link = verificationLink(mail.text);
    expect(link.startsWith(url('gateway'))).toBe(true);
    // the link works on any replica (no server session) and hands its opener a one-time ticket
    const { ticket } = await openVerificationLink(link);
    expect(await status('/users/signup', json('POST', { ...signUpForm(email), signupTicket: ticket }))).toBe(200);

    const session = await login(email);
    const addresses = await fetch(gateway('/users/addresses'), { headers: session.auth });
    expect(addresses.status).toBe(200);
    expect(await addresses.json()).toEqual([
      {
        id: expect.any(Number),
        isDefault: true,
        receiverName: '송송이',
        address: '서울특별시 성북구 보문로 34로',
        zipCode: '11234',
        phone: '010-1234-5678',
      },
    ]);

    const logout = await fetch(gateway('/users/logout?type=SINGLE'), {
      headers: { ...session.auth, cookie: session.refreshCookie },
    });
    expect(logout.status).toBe(200);
    expect(logout.headers.getSetCookie().some((c) => c.startsWith('refreshToken=;'))).toBe(true);
    const after = await fetch(gateway('/users/addresses'), { headers: session.auth });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('logout of all sessions refuses every earlier token, and a new login works', async () => {
    const email = await signUp();
    const first = await login(email);
    const second = await login(email);
    const logout = await fetch(gateway('/users/logout?type=ALL'), {
      headers: { ...second.auth, cookie: second.refreshCookie },
    });
    expect(logout.status).toBe(200);
    expect(await status('/users/whoami', { headers: first.auth })).toBe(401);
    expect(await status('/users/whoami', { headers: second.auth })).toBe(401);
    const third = await login(email);
    expect(await status('/users/whoami', { headers: third.auth })).toBe(200);
  });

  it('an expired access token with a valid refresh cookie is rotated once, as the original', async () => {
    const session = await login(await signUp());
    const expired = token({ sub: String(session.userId), role: 'CUSTOMER', exp: now() - 10 });
    const res = await fetch(gateway('/users/whoami'), {
      headers: { ...bearer(expired), cookie: session.refreshCookie },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: session.userId, role: 'CUSTOMER' });
    const fresh = res.headers.get('authorization')!.replace('Bearer ', '');
    expect(await status('/users/whoami', { headers: bearer(fresh) })).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('refreshToken=') && c.includes('HttpOnly'))).toBe(true);
    // the used refresh token does not rotate a second time
    expect(await status('/users/whoami', { headers: { ...bearer(expired), cookie: session.refreshCookie } })).toBe(401);
  });
});

describe('the gateway refuses what it must', () => {
  let shopper: Awaited<ReturnType<typeof newShopper>>;
  let other: Awaited<ReturnType<typeof newShopper>>;
  beforeAll(async () => {
    [shopper, other] = await Promise.all([newShopper(), newShopper()]);
  });

  it('no token on a protected path: 401 with the envelope', async () => {
    const res = await fetch(gateway('/users/addresses'));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a forged signature is refused', async () => {
    const forged = token({ sub: String(shopper.userId), role: 'CUSTOMER' }, 'some-other-secret-that-is-long-enough-x');
    expect(await status('/users/whoami', { headers: bearer(forged) })).toBe(401);
  });

  it('an expired token is refused', async () => {
    const expired = token({ sub: String(shopper.userId), role: 'CUSTOMER', exp: now() - 1 });
    expect(await status('/users/whoami', { headers: bearer(expired) })).toBe(401);
  });

  it('alg none is refused', async () => {
    const unsigned = token({ sub: String(shopper.userId), role: 'SELLER' }, '', { algorithm: 'none' });
    expect(await status('/users/whoami', { headers: bearer(unsigned) })).toBe(401);
  });

  it('a refresh token is not an access token', async () => {
    const refresh = shopper.refreshCookie.replace('refreshToken=', '');
    expect(await status('/users/whoami', { headers: bearer(refresh) })).toBe(401);
  });

  it('a token of a logged-out session is refused', async () => {
    const session = await login(shopper.email);
    await fetch(gateway('/users/logout'), { headers: { ...session.auth, cookie: session.refreshCookie } });
    expect(await status('/users/whoami', { headers: session.auth })).toBe(401);
    expect(await status('/users/whoami', { headers: shopper.auth })).toBe(200); // other sessions go on
  });

  it("a client-sent X-USER-ID for another user is ignored: the token's identity wins", async () => {
    const res = await fetch(gateway('/users/whoami'), {
      headers: { ...shopper.auth, 'x-user-id': String(other.userId), 'x-user-role': 'SELLER' },
    });
    expect(await res.json()).toEqual({ userId: shopper.userId, role: 'CUSTOMER' });
    // and without a token it never reaches a service as an identity
    const anonymous = await fetch(gateway('/users/whoami'), { headers: { 'x-user-id': String(other.userId) } });
    expect(anonymous.status).toBe(401);
  });

  it('seller-only paths refuse customers with 403', async () => {
    const res = await fetch(gateway('/brands'), { method: 'POST', headers: shopper.auth });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('public paths pass without a token', async () => {
    expect(await status('/products/000000000000000000000000/stock')).toBe(404); // answered by product, not 401
  });
});

describe('user validation rules and error codes', () => {
  const post = (path: string, body: unknown) => fetch(gateway(path), json('POST', body));
  const expectError = async (res: Response, statusCode: number, code: string) => {
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: statusCode, body: { code } });
  };

  it.each([
    ['email', 'not-an-email'],
    ['email', 'a@b'],
    ['password', 'short1!A'.slice(0, 7)],
    ['password', 'alllowercase1!'],
    ['password', 'NoDigits!!'],
    ['password', 'NoSpecial12'],
    ['phone', '01012345678'],
    ['phone', '1-123-1234'],
    ['name', 'a'],
    ['name', 'x'.repeat(31)],
    ['address', 'short'],
    ['address', 'x'.repeat(101)],
    ['zipCode', '1234'],
    ['zipCode', '12a45'],
    ['userType', 'ADMIN'],
    ['userType', null],
    ['email', null],
    ['signupTicket', 123],
    ['signupTicket', ''],
  ])('sign-up with a bad %s (%j): 400 REQUEST_ARGUMENT_NOT_VALID naming the field', async (field, value) => {
    const res = await post('/users/signup', { ...signUpForm(uniqueEmail()), [field]: value });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: Record<string, string> };
    expect(body.code).toBe('REQUEST_ARGUMENT_NOT_VALID');
    expect(Object.keys(body.message)).toEqual([field]);
  });

  it('unknown fields, a missing body and malformed JSON are 400, never 500', async () => {
    await expectError(
      await post('/users/email-auths', { email: uniqueEmail(), admin: true }),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    await expectError(await fetch(gateway('/users/login'), { method: 'POST' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    const broken = await fetch(gateway('/users/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(broken.status).toBe(400);
  });

  // what a registered address answers, rate limits and the ticket's rules: test/signup.int.spec.ts
  it('e-mail request: bad e-mail 400', async () => {
    await expectError(await post('/users/email-auths', { email: 'nope' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
  });

  it('verify: never requested and wrong code are one 400 NOT_VALID_EMAIL, twice a fresh ticket, missing params 400', async () => {
    const verify = (email: string, code: string) =>
      fetch(gateway(`/users/email-auths/verify?email=${encodeURIComponent(email)}&code=${code}`));
    await expectError(await verify(uniqueEmail(), 'abc'), 400, 'NOT_VALID_EMAIL');
    const email = uniqueEmail();
    await requestVerificationMail(email);
    const link = verificationLink((await latestMailTo(email)).text);
    await expectError(await verify(email, 'f'.repeat(32)), 400, 'NOT_VALID_EMAIL');
    const first = await openVerificationLink(link);
    const second = await openVerificationLink(link);
    expect(second.ticket).not.toBe(first.ticket);
    await expectError(
      await fetch(gateway('/users/email-auths/verify?email=a@b.co')),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
  });

  it('sign-up without a valid ticket: 401 NOT_VERIFIED_EMAIL, whatever the state of the address', async () => {
    const unverified = uniqueEmail();
    await expectError(await post('/users/signup', signUpForm(unverified)), 401, 'NOT_VERIFIED_EMAIL');
    await requestVerificationMail(unverified);
    await expectError(await post('/users/signup', signUpForm(unverified)), 401, 'NOT_VERIFIED_EMAIL');
    const email = await signUp();
    await expectError(await post('/users/signup', signUpForm(email)), 401, 'NOT_VERIFIED_EMAIL');
  });

  it('two sign-ups of one verified e-mail at once create one user', async () => {
    const email = uniqueEmail();
    await requestVerificationMail(email);
    const { ticket } = await openVerificationMail(email);
    const results = await Promise.all(
      [1, 2, 3].map(() => post('/users/signup', { ...signUpForm(email), signupTicket: ticket })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401, 401]);
  });

  it('login: unknown e-mail 404 EMAIL_NOT_FOUND, wrong password 401 WRONG_PASSWORD, bad format 400', async () => {
    await expectError(await post('/users/login', { email: uniqueEmail(), password: PASSWORD }), 404, 'EMAIL_NOT_FOUND');
    const email = await signUp();
    await expectError(await post('/users/login', { email, password: 'Wrong-pass1!' }), 401, 'WRONG_PASSWORD');
    await expectError(await post('/users/login', { email, password: 'weak' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
  });

  it('logout: no or foreign refresh cookie 403 EMPTY_REFRESH_TOKEN, bad type 400', async () => {
    const [a, b] = await Promise.all([newShopper(), newShopper()]);
    await expectError(await fetch(gateway('/users/logout'), { headers: a.auth }), 403, 'EMPTY_REFRESH_TOKEN');
    await expectError(
      await fetch(gateway('/users/logout'), { headers: { ...a.auth, cookie: 'refreshToken=garbage' } }),
      403,
      'EMPTY_REFRESH_TOKEN',
    );
    await expectError(
      await fetch(gateway('/users/logout'), { headers: { ...a.auth, cookie: b.refreshCookie } }),
      403,
      'EMPTY_REFRESH_TOKEN',
    );
    await expectError(
      await fetch(gateway('/users/logout?type=SOME'), { headers: { ...a.auth, cookie: a.refreshCookie } }),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    expect(await status('/users/whoami', { headers: a.auth })).toBe(200); // nothing was revoked
  });
});

describe('addresses', () => {
  const addAddress = async (userId: number, name: string, isDefault: boolean) => {
    // addresses beyond the first arrive from orders (address-events); the service call is the same
    const { KafkaBus } = await import('@runrun/common');
    const { Topics } = await import('@runrun/contracts');
    const pino = (await import('pino')).default;
    const bus = new KafkaBus(
      { brokers: ['127.0.0.1:9092'], clientId: 'test-order', groupPrefix: 'test-' },
      pino({ level: 'silent' }),
    );
    await bus.publish(
      Topics.ADDRESS,
      { userId, isDefault, name, address: '부산광역시 해운대구 우동 1234', zipCode: '48000', phone: '010-9999-8888' },
      { key: String(userId), eventId: randomUUID() },
    );
    await bus.close();
  };
  const list = async (auth: Record<string, string>) =>
    (await (await fetch(gateway('/users/addresses'), { headers: auth })).json()) as {
      id: number;
      isDefault: boolean;
      receiverName: string;
    }[];
  const waitForCount = async (auth: Record<string, string>, n: number) => {
    for (let i = 0; i < 75; i++) {
      const rows = await list(auth);
      if (rows.length === n) return rows;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`expected ${n} addresses`);
  };

  it('default, make default, delete with the original rules', async () => {
    const shopper = await newShopper();
    const [home] = await list(shopper.auth);
    await expect(
      (await fetch(gateway('/users/addresses/default'), { headers: shopper.auth })).json(),
    ).resolves.toMatchObject({ id: home.id, isDefault: true });

    // the only address cannot be deleted; the default cannot be made default again
    const only = await fetch(gateway(`/users/addresses/${home.id}`), { method: 'DELETE', headers: shopper.auth });
    expect({ s: only.status, b: await only.json() }).toMatchObject({ s: 400, b: { code: 'ONLY_ADDRESS' } });
    const again = await fetch(gateway(`/users/addresses/${home.id}`), { method: 'PUT', headers: shopper.auth });
    expect({ s: again.status, b: await again.json() }).toMatchObject({
      s: 400,
      b: { code: 'ALREADY_DEFAULT_ADDRESS' },
    });

    await addAddress(shopper.userId, 'office', false);
    const [, office] = await waitForCount(shopper.auth, 2);
    expect(office).toMatchObject({ receiverName: 'office', isDefault: false });
    expect(
      (await fetch(gateway(`/users/addresses/${office.id}`), { method: 'PUT', headers: shopper.auth })).status,
    ).toBe(200);
    expect((await list(shopper.auth)).map((a) => [a.receiverName, a.isDefault])).toEqual([
      ['office', true],
      ['송송이', false],
    ]);

    // deleting the default hands it to the next one
    expect(
      (await fetch(gateway(`/users/addresses/${office.id}`), { method: 'DELETE', headers: shopper.auth })).status,
    ).toBe(200);
    expect((await list(shopper.auth)).map((a) => [a.receiverName, a.isDefault])).toEqual([['송송이', true]]);

    const missing = await fetch(gateway('/users/addresses/999999999'), { method: 'DELETE', headers: shopper.auth });
    expect({ s: missing.status, b: await missing.json() }).toMatchObject({ s: 404, b: { code: 'ADDRESS_NOT_FOUND' } });
    const bad = await fetch(gateway('/users/addresses/abc'), { method: 'PUT', headers: shopper.auth });
    expect({ s: bad.status, b: await bad.json() }).toMatchObject({ s: 400, b: { code: 'REQUEST_ARGUMENT_NOT_VALID' } });
  });

  it("one user cannot read, change or delete another user's address", async () => {
    const [owner, intruder] = await Promise.all([newShopper(), newShopper()]);
    await addAddress(owner.userId, 'second', false);
    const ownerAddresses = await waitForCount(owner.auth, 2);
    const target = ownerAddresses[1];

    expect((await list(intruder.auth)).map((a) => a.id)).not.toContain(target.id);
    for (const method of ['PUT', 'DELETE']) {
      const res = await fetch(gateway(`/users/addresses/${target.id}`), { method, headers: intruder.auth });
      expect({ s: res.status, b: await res.json() }).toMatchObject({ s: 404, b: { code: 'ADDRESS_NOT_FOUND' } });
    }
    // forging the identity header does not help either
    const forged = await fetch(gateway(`/users/addresses/${target.id}`), {
      method: 'DELETE',
      headers: { ...intruder.auth, 'x-user-id': String(owner.userId) },
    });
    expect(forged.status).toBe(404);
    expect(await list(owner.auth)).toEqual(ownerAddresses);
  });

  it('two concurrent deletes of both addresses leave one', async () => {
    const shopper = await newShopper();
    await addAddress(shopper.userId, 'second', false);
    const both = await waitForCount(shopper.auth, 2);
    const results = await Promise.all(
      both.map((a) => fetch(gateway(`/users/addresses/${a.id}`), { method: 'DELETE', headers: shopper.auth })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const left = await list(shopper.auth);
    expect(left).toHaveLength(1);
    expect(left[0].isDefault).toBe(true);
  });
});
