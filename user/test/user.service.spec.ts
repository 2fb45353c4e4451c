import type { INestApplicationContext } from '@nestjs/common';
import { KafkaBus } from '@runrun/common';
import { Topics } from '@runrun/contracts';
import {
  dropMysqlDatabase,
  FakeKafka,
  freshMysqlDatabase,
  mysqlRows,
  quietLogger,
  startServiceModule,
  withProviders,
} from '@runrun/testkit';
import Redis from 'ioredis';
import { AppModule } from '../src/app.module';
import { passwordMatches } from '../src/auth/password';
import { loadConfig } from '../src/config';
import { PiiCipher } from '../src/crypto/pii-cipher';
import { EmailAuthStore } from '../src/email-auth/email-auth.store';
import { Mailer } from '../src/mail/mailer';
import { SignUpService } from '../src/signup/signup.service';

/** The user service alone: a MySQL database and Redis db 6 of its own, no mail server, Kafka faked. */
const DATABASE = 'runrun_svc_user';
const REDIS_URL = 'redis://127.0.0.1:6379/6';

let app: INestApplicationContext;
let cipher: PiiCipher;
const kafka = new FakeKafka();
const rows = (sql: string, params: unknown[] = []) => mysqlRows(DATABASE, sql, params);
const form = {
  email: 'Shopper@Example.com',
  password: 'Secret1!',
  phone: '010-1234-5678',
  name: '송송이',
  address: '서울시 강남구 테헤란로 1',
  zipCode: '12345',
  userType: 'CUSTOMER' as const,
};

/** What opening the mailed link does: the verification code is exchanged for a sign-up ticket. */
async function verifiedTicket(email: string): Promise<string> {
  const store = app.get(EmailAuthStore);
  await store.save(email, { code: 'code-1' }, 600);
  expect(await store.issueTicket(email, 'code-1', `ticket-${email}`, 600)).toBe(true);
  return `ticket-${email}`;
}

beforeAll(async () => {
  await freshMysqlDatabase(DATABASE);
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  await redis.quit();
  const defaults = loadConfig();
  const config = { ...defaults, db: { ...defaults.db, database: DATABASE }, redis: { url: REDIS_URL } };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('user')), [
      [KafkaBus, kafka],
      [Mailer, { send: async () => undefined }],
    ]),
  );
  cipher = app.get(PiiCipher);
});

afterAll(async () => {
  await app?.close();
  await dropMysqlDatabase(DATABASE);
});

describe('the user service on its own stores', () => {
  let userId: number;

  it('signs a verified shopper up: a hashed password, personal data encrypted, the default address', async () => {
    await app.get(SignUpService).signUp(form, await verifiedTicket(form.email));

    const [user] = await rows('SELECT * FROM users');
    userId = Number(user.id);
    expect(user.password).toMatch(/^\$argon2id\$/);
    expect(await passwordMatches(String(user.password), form.password)).toBe(true);
    for (const column of ['email', 'phone', 'name'])
      expect(String(user[column])).not.toContain(form[column as 'email']);
    expect(cipher.decrypt(String(user.email))).toBe(form.email);
    expect(user.email_index).toBe(cipher.emailIndex('shopper@example.com'));

    const [address] = await rows('SELECT * FROM addresses WHERE user_id = ?', [userId]);
    expect(address.is_default).toBe(1);
    expect(address.address).not.toContain('테헤란로');
    expect(cipher.decrypt(String(address.address))).toBe(form.address);
    expect(cipher.decrypt(String(address.receiver_name))).toBe(form.name);
  });

  it('refuses a sign-up without a ticket, and a second account for the same address', async () => {
    const other = { ...form, email: 'other@example.com' };
    await expect(app.get(SignUpService).signUp(other, undefined)).rejects.toMatchObject({ code: 'NOT_VERIFIED_EMAIL' });
    await expect(app.get(SignUpService).signUp(other, 'made-up')).rejects.toMatchObject({ code: 'NOT_VERIFIED_EMAIL' });
    const sameAddress = { ...form, email: 'shopper@example.com' }; // the index is of the normalised address
    await expect(
      app.get(SignUpService).signUp(sameAddress, await verifiedTicket(sameAddress.email)),
    ).rejects.toMatchObject({
      code: 'ALREADY_REGISTER_EMAIL',
    });
    expect(await rows('SELECT id FROM users')).toHaveLength(1);
  });

  it("saves an order's new address once, however often its event comes", async () => {
    const event = {
      userId,
      isDefault: false,
      name: '받는이',
      address: '부산시 해운대구 우동 1',
      zipCode: '48000',
      phone: '010-9999-0000',
    };
    await kafka.deliver(Topics.ADDRESS, event, 'address-event-1');
    await kafka.deliver(Topics.ADDRESS, event, 'address-event-1');
    const addresses = await rows('SELECT address, is_default FROM addresses WHERE user_id = ? ORDER BY id', [userId]);
    expect(addresses.map((a) => [cipher.decrypt(String(a.address)), a.is_default])).toEqual([
      [form.address, 1],
      [event.address, 0],
    ]);
  });
});
