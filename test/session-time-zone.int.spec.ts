import { typeormOptions } from '@runrun/mysql';
import { RunningService, startService } from '@runrun/launcher';
import { brandForm, multipart, PNG } from '@runrun/testkit';
import { randomInt, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TEST_ENV, TEST_LOG_DIR, wiring } from './env';
import { OwnMariaDb } from './mariadb-server';
import { runJob } from './orders';

/**
 * DATETIME values mean UTC whatever zone the MySQL server runs in: a server of the test's own set
 * to +09:00 (the shared one runs in UTC, which would hide the difference). Every connection the
 * services open has the session time zone +00:00, so what the server computes itself
 * (`CURRENT_TIMESTAMP` defaults, `updated_at` on change) is UTC like what the driver writes.
 */
describe('MySQL session time zone', () => {
  const server = new OwnMariaDb(26306, ['--default-time-zone=+09:00']);
  const db = { DB_HOST: '127.0.0.1', DB_PORT: String(server.port) };
  let brand: RunningService | undefined;

  beforeAll(() => server.start(), 90_000);
  afterAll(async () => {
    await brand?.stop();
    await server.stop();
  });

  /** The DATETIME as stored (no conversion), read as UTC, against the clock now. */
  const utcSkewMs = (stored: string) => Math.abs(new Date(`${stored.replace(' ', 'T')}Z`).getTime() - Date.now());
  const stored = async (database: string, sql: string, params: unknown[] = []) => {
    const connection = await server.connect(database);
    try {
      const [rows] = await connection.query({ sql, values: params, dateStrings: true });
      return rows as Record<string, string>[];
    } finally {
      await connection.end();
    }
  };

  it('the server runs at +09:00; every pooled connection of the services reports +00:00', async () => {
    expect((await stored('mysql', 'SELECT @@session.time_zone AS tz'))[0].tz).toBe('+09:00');
    const options = typeormOptions(
      { host: '127.0.0.1', port: server.port, username: 'runrun', password: 'runrun', database: 'mysql', poolSize: 4 },
      [],
    );
    const source = await new DataSource({ ...options, synchronize: false } as never).initialize();
    try {
      // more queries at once than the pool has connections: every connection, the first one too
      const zones = await Promise.all(
        Array.from({ length: 8 }, () => source.query('SELECT @@session.time_zone AS tz, SLEEP(0.1) AS s')),
      );
      expect(new Set(zones.map((rows: { tz: string }[]) => rows[0].tz))).toEqual(new Set(['+00:00']));
    } finally {
      await source.destroy();
    }
  });

  it("a row's created_at written by a service is UTC", async () => {
    brand = await startService('brand', {
      portOffset: 12_200,
      instance: 'brand-time-zone',
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...db, DB_NAME: 'runrun_tz_brand' },
    });
    const seller = { 'x-user-id': String(randomInt(2_000_000_000, 2_100_000_000)), 'x-user-role': 'SELLER' };
    const res = await fetch(`${brand.url}/brands`, {
      method: 'POST',
      headers: seller,
      body: multipart(brandForm(), { image: PNG }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    const [row] = await stored('runrun_tz_brand', 'SELECT created_at FROM brands WHERE id = ?', [id]);
    expect(utcSkewMs(row.created_at)).toBeLessThan(60_000);
  });

  it('the cron jobs connect in UTC, and the updated_at a job writes is UTC', async () => {
    const env = { ...db, DB_NAME: 'runrun_tz_order' };
    const check = runJob('check', env); // creates the schema, as every job does
    expect(check.status).toBe(0);
    expect(check.output).toContain('"timeZone":"+00:00"');

    // an order placed two days ago (UTC), moved on by the shipping job
    const orderId = randomUUID();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await stored(
      'runrun_tz_order',
      `INSERT INTO orders (order_id, products, delivery_fees, total_amount, total_delivery_fee, status, receiver, user_id, created_at, updated_at)
       VALUES (?, '{}', '{}', 0, 0, 'ORDER_PLACED', '{}', 1, ?, ?)`,
      [orderId, twoDaysAgo, twoDaysAgo],
    );
    expect(runJob('shipping', env).status).toBe(0);
    const [row] = await stored('runrun_tz_order', 'SELECT status, updated_at FROM orders WHERE order_id = ?', [
      orderId,
    ]);
    expect(row.status).toBe('IN_TRANSIT');
    expect(utcSkewMs(row.updated_at)).toBeLessThan(60_000);
  });
});
