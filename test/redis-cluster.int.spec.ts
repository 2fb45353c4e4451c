import { ROOT, RunningService, startSystem, wiringEnv } from '@runrun/launcher';
import {
  createBrand,
  createProduct,
  freshMysqlDatabase,
  gateway,
  login,
  newShopper,
  orderForm,
  productForm,
  Session,
  signUp,
} from '@runrun/testkit';
import { Topics } from '@runrun/contracts';
import { Cluster } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_ENV, TEST_LOG_DIR } from './env';
import { as, randomUserId } from './orders';
import { eventually, withMysql } from './stores';

/**
 * Every service that uses Redis, on a three-master Redis Cluster (`infra/local.sh cluster start`,
 * which `npm test` runs) instead of one Redis: a system of its own (ports +14000, its own
 * databases and consumer groups) whose stores are the cluster. A flash sale of multi-product
 * orders keeps the stock invariant with every product's keys in their own slot; an order that
 * cannot take every product takes none; the gateway's rate limit, token checks and sold-out
 * flags and the user service's login, refresh and logout work there.
 */
const CLUSTER_NODES = '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003';
const OFFSET = 14_000;
const DB = {
  user: 'runrun_cluster_user',
  brand: 'runrun_cluster_brand',
  order: 'runrun_cluster_order',
  payment: 'runrun_cluster_payment',
} as const;
const MONGO_URL = 'mongodb://127.0.0.1:27017/runrun_cluster_product';
const RATE_LIMIT = 20;
const base = (service: string, port: number) => [service, `http://127.0.0.1:${port + OFFSET}`] as const;
const URLS = Object.fromEntries([
  base('gateway', 8080),
  base('product', 8083),
  base('order', 8084),
  base('payment', 8085),
]) as Record<'gateway' | 'product' | 'order' | 'payment', string>;

/** This system's consumer groups (prefix `cluster-`) and their topics. */
const GROUPS: Record<string, string[]> = {
  'order-group': [Topics.STOCK_CHECK_FAILED, Topics.PAYMENT_FINALIZED],
  'order-stock-group': [Topics.STOCK_CHANGED],
  'product-group': [Topics.ORDER_FAILED, Topics.ORDER_CANCELLED],
  'payment-group': [Topics.ORDER_CANCELLED],
  'user-group': [Topics.ADDRESS],
};

/** The local development secret the test systems run with (no JWT_SECRET set). */
const DEV_SECRET = 'runrun-local-development-jwt-secret-not-for-production';

describe('on a Redis Cluster', () => {
  let services: RunningService[] = [];
  const redis = new Cluster(
    CLUSTER_NODES.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })),
  );
  const previousGateway = process.env.GATEWAY_URL;
  let seller: Session;
  let brandId: number;

  const counter = async (productId: string) => {
    const v = await redis.get(`RESERVED_PRODUCT_STOCK{${productId}}`);
    return v === null ? undefined : Number(v);
  };
  const stockOf = async (productId: string) =>
    ((await (await fetch(`${URLS.product}/products/${productId}/stock`)).json()) as { quantity: number }).quantity;
  const placeOrder = async (userId: number, lines: [string, number][]) => {
    const res = await fetch(`${URLS.order}/orders`, {
      method: 'POST',
      headers: as(userId),
      body: JSON.stringify(orderForm(lines)),
    });
    return { userId, lines, status: res.status, body: (await res.json()) as { orderId?: string; code?: string } };
  };
  const statuses = (orderIds: string[]) =>
    withMysql(DB.order, async (q) => {
      const rows = await q(
        `SELECT order_id AS orderId, status FROM orders WHERE order_id IN (${orderIds.map(() => '?').join(',')})`,
        orderIds,
      );
      return new Map(rows.map((r) => [r.orderId as string, r.status as string]));
    });
  const pay = async (userId: number, orderId: string) => {
    const page = await fetch(`${URLS.payment}/checkout/${orderId}`, { headers: as(userId) });
    if (page.status !== 200) return page.status;
    const amount = /<strong id="amount">(\d+)<\/strong>/.exec(await page.text())![1];
    const res = await fetch(`${URLS.payment}/payments`, {
      method: 'POST',
      headers: as(userId),
      body: JSON.stringify({ orderId, amount, paymentKey: `mock-${orderId}` }),
    });
    return res.status;
  };
  const cancelUnpaid = () =>
    spawnSync(process.execPath, [join(ROOT, 'cron-jobs', 'dist', 'main.js'), 'order-cancel'], {
      env: { ...process.env, DB_NAME: DB.order, UNPAID_ORDER_TIMEOUT_MINUTES: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    }).status;
  const metric = async (line: string) => {
    const text = await (await fetch(`${URLS.gateway}/metrics`)).text();
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found ? Number(found.split(' ')[1]) : 0;
  };
  const newProduct = (quantity: number, extra: Record<string, unknown> = {}) =>
    createProduct(seller.auth, productForm(brandId, { quantity, price: 10000, discount: 0, ...extra }));

  beforeAll(async () => {
    await redis.ping().catch(() => {
      throw new Error('no Redis Cluster on 7001-7003: run `bash infra/local.sh cluster start`');
    });
    await Promise.all(redis.nodes('master').map((node) => node.flushall()));
    for (const db of Object.values(DB)) await freshMysqlDatabase(db);
    // the topics are shared with the other test systems: this one starts at their end rather
    // than working through every event the others sent since its last run
    const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      for (const [group, topics] of Object.entries(GROUPS)) {
        for (const topic of topics) {
          // the log end itself: kafkajs's resetOffsets commits -1, which the consumer reads as "from the beginning"
          const ends = await admin.fetchTopicOffsets(topic);
          const partitions = ends.map(({ partition, high }) => ({ partition, offset: high }));
          await admin.setOffsets({ groupId: `cluster-${group}`, topic, partitions });
        }
      }
    } finally {
      await admin.disconnect();
    }
    const mongo = await mongoose.createConnection(MONGO_URL).asPromise();
    await mongo.db!.dropDatabase();
    await mongo.close();
    const env = {
      ...TEST_ENV,
      ...wiringEnv(OFFSET),
      REDIS_CLUSTER_NODES: CLUSTER_NODES,
      MONGO_URL,
      KAFKA_GROUP_PREFIX: 'cluster-',
    };
    services = await startSystem({
      portOffset: OFFSET,
      logDir: join(TEST_LOG_DIR, 'cluster'),
      env,
      serviceEnv: {
        ...Object.fromEntries(Object.entries(DB).map(([service, db]) => [service, { DB_NAME: db }])),
        user: { DB_NAME: DB.user, PUBLIC_BASE_URL: URLS.gateway, EMAIL_AUTH_CLIENT_PER_HOUR: '0' },
        gateway: { RATE_LIMIT_PER_SECOND: String(RATE_LIMIT) },
        order: { DB_NAME: DB.order, SOLD_OUT_FLAG_MS: '3000' },
      },
    });
    // the testkit's clients talk to this system's gateway
    process.env.GATEWAY_URL = URLS.gateway;
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  }, 240_000);
  afterAll(async () => {
    process.env.GATEWAY_URL = previousGateway;
    await Promise.all(services.map((s) => s.stop()));
    redis.disconnect();
  });

  it('a flash sale of multi-product orders: stock = remaining + sold per product, never below zero, none taken twice', async () => {
    // ids grow with creation: orders take `a` first, so orders short of `b` or `c` give `a` back
    const a = await newProduct(60);
    const b = await newProduct(20);
    const c = await newProduct(15);
    const initial: Record<string, number> = { [a]: 60, [b]: 20, [c]: 15 };
    const shapes: [string, number][][] = [
      [
        [a, 1],
        [b, 1],
      ],
      [
        [a, 2],
        [c, 1],
      ],
      [
        [a, 1],
        [b, 1],
        [c, 1],
      ],
      [[b, 2]],
    ];
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => placeOrder(randomUserId(), shapes[i % shapes.length])),
    );
    const accepted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.code}`))).toEqual(
      new Set(refused.map((r) => (r.status === 503 ? '503 SERVICE_UNAVAILABLE' : '409 STOCK_SHORTAGE'))),
    );
    expect(accepted.length).toBeGreaterThan(0);
    const unitsOf = (orders: typeof results, id: string) =>
      orders.reduce((sum, r) => sum + (r.lines.find(([p]) => p === id)?.[1] ?? 0), 0);
    // every accepted order holds its units, no refused one holds any: counter = initial − accepted
    for (const id of [a, b, c]) {
      expect(unitsOf(accepted, id)).toBeLessThanOrEqual(initial[id]);
      expect(await counter(id)).toBe(initial[id] - unitsOf(accepted, id));
    }
    // b and c sold out while a was left: refused orders gave a's units back
    expect(await counter(b)).toBeLessThan(2);
    expect(await counter(a)).toBeGreaterThan(0);

    // two in three pay, the rest are cancelled by the job (released through the order service)
    const payers = accepted.filter((_, i) => i % 3 !== 2);
    for (let i = 0; i < payers.length; i += 10) {
      const batch = await Promise.all(payers.slice(i, i + 10).map((r) => pay(r.userId, r.body.orderId!)));
      expect(batch).toEqual(batch.map(() => 200));
    }
    const ids = accepted.map((r) => r.body.orderId!);
    const count = async (status: string) => [...(await statuses(ids)).values()].filter((v) => v === status).length;
    // paid orders are placed (payment-finalized consumed) before the job looks for unpaid ones
    await eventually(async () => ((await count('ORDER_PLACED')) === payers.length ? true : undefined), 30_000);
    expect(cancelUnpaid()).toBe(0);
    await eventually(
      async () => ((await count('CANCEL')) === accepted.length - payers.length ? true : undefined),
      30_000,
    );
    // initial = remaining + sold, and the counter is the remaining stock once nothing is pending
    for (const id of [a, b, c]) {
      const sold = unitsOf(payers, id);
      await eventually(async () => ((await stockOf(id)) === initial[id] - sold ? true : undefined), 30_000);
      await eventually(async () => ((await counter(id)) === initial[id] - sold ? true : undefined), 30_000);
    }
    // the job again releases nothing twice
    expect(cancelUnpaid()).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of [a, b, c]) expect(await counter(id)).toBe(initial[id] - unitsOf(payers, id));
  }, 180_000);

  it('an order that cannot take every product takes none; one shopper stays within a purchase limit', async () => {
    const plenty = await newProduct(5);
    const scarce = await newProduct(1);
    expect(plenty < scarce).toBe(true); // taken first, so the refusal at `scarce` gives it back
    expect((await placeOrder(randomUserId(), [[scarce, 1]])).status).toBe(200);
    const refused = await placeOrder(randomUserId(), [
      [plenty, 2],
      [scarce, 1],
    ]);
    expect(refused).toMatchObject({ status: 409, body: { code: 'STOCK_SHORTAGE' } });
    expect(await counter(plenty)).toBe(5);
    expect(await counter(scarce)).toBe(0);

    // five orders of one shopper at once for a product limited to two per shopper
    const limited = await newProduct(50, { purchaseLimit: 2 });
    const shopper = randomUserId();
    const answers = await Promise.all(Array.from({ length: 5 }, () => placeOrder(shopper, [[limited, 1]])));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(2);
    for (const r of answers.filter((x) => x.status !== 200)) {
      expect(['PURCHASE_LIMIT_EXCEEDED', 'TOO_MANY_UNPAID_ORDERS']).toContain(r.body.code);
    }
    expect(await counter(limited)).toBe(48);
    expect(Number(await redis.get(`PURCHASE_UNITS:{${limited}}:${shopper}`))).toBe(2);

    // cancelled, both give their units back to the product and to the shopper's limit
    expect(cancelUnpaid()).toBe(0);
    await eventually(async () => ((await counter(limited)) === 50 ? true : undefined), 30_000);
    expect(await redis.get(`PURCHASE_UNITS:{${limited}}:${shopper}`)).toBeNull();
  }, 90_000);

  it('gateway and user: login, refresh, logout, rate limit and sold-out flags', async () => {
    const email = await signUp();
    const session = { email, ...(await login(email)) };
    const whoami = (headers: Record<string, string>) => fetch(gateway('/users/whoami'), { headers });
    expect((await whoami(session.auth)).status).toBe(200);

    // an expired access token with the refresh cookie rotates once (the refresh key on the cluster)
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign(
      {
        sub: String(session.userId),
        role: 'CUSTOMER',
        iat: now - 20,
        exp: now - 10,
        jti: randomUUID(),
        gen: 0,
        typ: 'access',
      },
      DEV_SECRET,
      { algorithm: 'HS256' },
    );
    const rotated = await whoami({ authorization: `Bearer ${expired}`, cookie: session.refreshCookie });
    expect(rotated.status).toBe(200);
    const fresh = { authorization: rotated.headers.get('authorization')! };
    expect((await whoami(fresh)).status).toBe(200);
    expect((await whoami({ authorization: `Bearer ${expired}`, cookie: session.refreshCookie })).status).toBe(401);

    // logout revokes the token: the gateway's one MGET of the user's keys refuses it
    const again = await login(session.email);
    const logout = await fetch(gateway('/users/logout?type=SINGLE'), {
      headers: { ...again.auth, cookie: again.refreshCookie },
    });
    expect(logout.status).toBe(200);
    expect((await whoami(again.auth)).status).toBe(401);
    expect((await whoami(fresh)).status).toBe(200); // another session of the user

    // the sold-out flag travels from order to the gateway over the cluster's pub/sub
    const shopper = await login(await signUp());
    const product = await newProduct(1);
    const order = () =>
      fetch(gateway('/orders'), {
        method: 'POST',
        headers: { ...shopper.auth, 'content-type': 'application/json' },
        body: JSON.stringify(orderForm([[product, 1]])),
      });
    expect((await order()).status).toBe(200);
    expect((await order()).status).toBe(409); // the order service finds the counter at zero
    const atGate = await metric('runrun_gateway_sold_out_refused_total{reason="sold-out"}');
    const byGate = await eventually(async () => {
      const res = await order();
      expect(res.status).toBe(409);
      const now = await metric('runrun_gateway_sold_out_refused_total{reason="sold-out"}');
      return now > atGate ? now : undefined;
    }, 10_000);
    expect(byGate).toBeGreaterThan(atGate);

    // the rate limit (one script per request, the client's own key) holds on the cluster
    await new Promise((r) => setTimeout(r, 1100));
    const codes = await Promise.all(
      Array.from({ length: RATE_LIMIT * 3 }, async () => (await whoami(shopper.auth)).status),
    );
    expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(codes.filter((s) => s === 200).length).toBeLessThanOrEqual(RATE_LIMIT * 2);
  }, 60_000);
});
