import { RunningService, startService } from '@runrun/launcher';
import { createBrand, createProduct, gateway, multipart, newShopper, productForm } from '@runrun/testkit';
import Redis from 'ioredis';
import { TEST_DB, TEST_ENV, TEST_LOG_DIR, TEST_REDIS_URL, TEST_SERVICE_ENV, url, wiring } from './env';
import { as, orderForm, orderStatuses, pay, placeOrder, randomUserId, reservedLeft, runJob, stockOf } from './orders';
import { eventually, withMysql } from './stores';

/**
 * What keeps one account from holding a whole sale: per-product purchase limits and the cap on
 * unpaid orders, both inside the atomic reservation; the payment window; the shopper's own cancel
 * of an unpaid order; Idempotency-Key bound to its body.
 */

type Answer = Awaited<ReturnType<typeof placeOrder>>;

const redisValue = async <T>(use: (redis: Redis) => Promise<T>): Promise<T> => {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
};
const shopperUnits = (productId: string, userId: number) =>
  redisValue(async (r) => Number((await r.get(`PURCHASE_UNITS:{${productId}}:${userId}`)) ?? 0));
const unpaidOrders = (userId: number) =>
  redisValue((r) => r.zrange(`UNPAID_ORDERS:{shoppers-${userId % 16}}:${userId}`, 0, -1));

/** Orders rows of the given ids: owner and the quantity of `productId` in each. */
const orderRows = (orderIds: string[], productId: string) =>
  withMysql(TEST_DB.order, async (q) => {
    if (!orderIds.length) return [];
    const rows = await q(
      `SELECT order_id AS orderId, user_id AS userId, status, products FROM orders WHERE order_id IN (${orderIds
        .map(() => '?')
        .join(',')})`,
      orderIds,
    );
    return rows.map((r) => {
      const products = (typeof r.products === 'string' ? JSON.parse(r.products) : r.products) as Record<
        string,
        { quantity: number }
      >;
      return {
        orderId: r.orderId as string,
        userId: Number(r.userId),
        status: r.status as string,
        units: products[productId]?.quantity ?? 0,
      };
    });
  });
const rowIdOf = async (orderId: string) =>
  Number(
    (await withMysql(TEST_DB.order, (q) => q('SELECT id FROM orders WHERE order_id = ?', [orderId])))[0].id as string,
  );
const cancel = async (userId: number, orderId: string, base = url('order')) =>
  fetch(`${base}/orders/${await rowIdOf(orderId)}/cancel`, { method: 'POST', headers: as(userId) });
const codes = (answers: Answer[]) => [...new Set(answers.map((a) => `${a.status} ${a.body.code ?? ''}`))].sort();
const statusOf = async (orderId: string) => (await orderStatuses([orderId])).get(orderId);

describe('sale limits', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  const started: RunningService[] = [];
  /** An order service of its own: the cap on unpaid orders off, so only the purchase limit counts. */
  let uncapped: RunningService;
  const newProduct = (quantity: number, overrides: Record<string, unknown> = {}) =>
    createProduct(seller.auth, productForm(brandId, { quantity, price: 10000, discount: 0, ...overrides }));
  const startOrder = async (instance: string, portOffset: number, env: Record<string, string>) => {
    const service = await startService('order', {
      portOffset,
      instance,
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...TEST_SERVICE_ENV.order, ...env },
    });
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
    uncapped = await startOrder('order-uncapped', 21_000, { MAX_UNPAID_ORDERS: '0' });
  });
  afterAll(() => Promise.all(started.map((s) => s.stop())));

  describe('purchase limit per shopper', () => {
    it('is set by the seller, shown by the read APIs, and must be a whole number ≥ 1', async () => {
      const id = await newProduct(10, { purchaseLimit: 2 });
      const detail = async () =>
        ((await (await fetch(gateway(`/products/${id}`))).json()) as { purchaseLimit: number | null }).purchaseLimit;
      expect(await detail()).toBe(2);
      const list = (await (await fetch(gateway('/products?size=100'))).json()) as {
        id: string;
        purchaseLimit: number | null;
      }[];
      expect(list.find((p) => p.id === id)?.purchaseLimit).toBe(2);
      const ordinary = await newProduct(10);
      const plain = (await (await fetch(gateway(`/products/${ordinary}`))).json()) as { purchaseLimit: unknown };
      expect(plain.purchaseLimit).toBe(null);

      const bad = await fetch(gateway('/products'), {
        method: 'POST',
        headers: seller.auth,
        body: multipart(productForm(brandId, { purchaseLimit: 0 })),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: Record<string, string> }).message).toHaveProperty('purchaseLimit');

      // an update without it removes the limit
      const { brandId: _, ...update } = productForm(brandId, { quantity: 10, price: 10000, discount: 0 });
      const put = await fetch(gateway(`/products/${id}`), {
        method: 'PUT',
        headers: seller.auth,
        body: multipart(update),
      });
      expect(put.status).toBe(200);
      expect(await detail()).toBe(null);
    });

    it('500 concurrent orders from one account never take more than the limit; the invariant holds', async () => {
      const limit = 5;
      const stock = 100;
      const productId = await newProduct(stock, { purchaseLimit: limit });
      const userId = randomUserId();
      const answers = await Promise.all(
        Array.from({ length: 500 }, () => placeOrder(userId, [[productId, 1]], uncapped.url)),
      );
      const accepted = answers.filter((a) => a.status === 200);
      expect(accepted).toHaveLength(limit); // = the limit: stock allows it
      expect(codes(answers.filter((a) => a.status !== 200))).toEqual(['409 PURCHASE_LIMIT_EXCEEDED']);

      const ids = accepted.map((a) => a.body.orderId!);
      expect(new Set(ids).size).toBe(limit);
      const rows = await orderRows(ids, productId);
      expect(rows).toHaveLength(limit);
      expect(rows.every((r) => r.userId === userId && r.status === 'PAYMENT_PENDING')).toBe(true);
      const held = rows.reduce((sum, r) => sum + r.units, 0);
      expect(held).toBe(limit);
      // the invariant: initial stock = reservation counter + units in accepted orders
      expect(await reservedLeft(productId)).toBe(stock - held);
      expect(await shopperUnits(productId, userId)).toBe(held);
      // another account is not affected
      expect((await placeOrder(randomUserId(), [[productId, limit]], uncapped.url)).status).toBe(200);
      expect(await reservedLeft(productId)).toBe(stock - held - limit);

      // a larger order than the room left is refused as a whole; a cancelled order gives its units back
      expect((await cancel(userId, ids[0])).status).toBe(200);
      await eventually(async () => ((await shopperUnits(productId, userId)) === limit - 1 ? true : undefined));
      expect(await placeOrder(userId, [[productId, 2]], uncapped.url)).toMatchObject({
        status: 409,
        body: { code: 'PURCHASE_LIMIT_EXCEEDED' },
      });
      expect((await placeOrder(userId, [[productId, 1]], uncapped.url)).status).toBe(200);
      expect(await shopperUnits(productId, userId)).toBe(limit);
      expect(await reservedLeft(productId)).toBe(stock - 2 * limit);
    });

    it('many accounts on one limited product with little stock: each within the limit, all within the stock', async () => {
      const limit = 3;
      const stock = 100;
      const productId = await newProduct(stock, { purchaseLimit: limit });
      const shoppers = Array.from({ length: 50 }, () => randomUserId()); // 50 × 3 = 150 > 100
      const answers = await Promise.all(
        shoppers.flatMap((userId) =>
          Array.from({ length: 20 }, () =>
            placeOrder(userId, [[productId, 1]], uncapped.url).then((a) => ({ userId, ...a })),
          ),
        ),
      );
      const accepted = answers.filter((a) => a.status === 200);
      expect(codes(answers.filter((a) => a.status !== 200))).toEqual(
        expect.arrayContaining(['409 PURCHASE_LIMIT_EXCEEDED']),
      );
      for (const code of codes(answers.filter((a) => a.status !== 200))) {
        expect(['409 PURCHASE_LIMIT_EXCEEDED', '409 STOCK_SHORTAGE', '503 SERVICE_UNAVAILABLE']).toContain(code);
      }
      const rows = await orderRows(
        accepted.map((a) => a.body.orderId!),
        productId,
      );
      expect(rows).toHaveLength(accepted.length);
      const perShopper = new Map<number, number>();
      for (const r of rows) perShopper.set(r.userId, (perShopper.get(r.userId) ?? 0) + r.units);
      expect(Math.max(...perShopper.values())).toBeLessThanOrEqual(limit);
      for (const [userId, units] of perShopper) expect(await shopperUnits(productId, userId)).toBe(units);
      const held = rows.reduce((sum, r) => sum + r.units, 0);
      expect(held).toBe(stock); // sold out: more was asked than there is
      expect(await reservedLeft(productId)).toBe(0);
    });
  });

  describe('unpaid orders per shopper', () => {
    it('at most MAX_UNPAID_ORDERS (3) at once; paying or cancelling one makes room', async () => {
      const stock = 50;
      const productId = await newProduct(stock);
      const userId = randomUserId();
      const answers = await Promise.all(Array.from({ length: 30 }, () => placeOrder(userId, [[productId, 1]])));
      const accepted = answers.filter((a) => a.status === 200).map((a) => a.body.orderId!);
      expect(accepted).toHaveLength(3);
      expect(codes(answers.filter((a) => a.status !== 200))).toEqual(['409 TOO_MANY_UNPAID_ORDERS']);
      expect((await unpaidOrders(userId)).sort()).toEqual([...accepted].sort());
      expect(await reservedLeft(productId)).toBe(stock - 3);
      expect(await placeOrder(userId, [[productId, 1]])).toMatchObject({
        status: 409,
        body: { code: 'TOO_MANY_UNPAID_ORDERS' },
      });

      // paid: no longer unpaid
      expect((await pay(userId, accepted[0])).status).toBe(200);
      await eventually(async () => ((await unpaidOrders(userId)).includes(accepted[0]) ? undefined : true));
      expect(await statusOf(accepted[0])).toBe('ORDER_PLACED');
      const fourth = await placeOrder(userId, [[productId, 1]]);
      expect(fourth.status).toBe(200);
      expect((await placeOrder(userId, [[productId, 1]])).status).toBe(409);

      // cancelled by the shopper: room again, at once
      expect((await cancel(userId, accepted[1])).status).toBe(200);
      await eventually(async () => ((await unpaidOrders(userId)).includes(accepted[1]) ? undefined : true), 5000);
      expect((await placeOrder(userId, [[productId, 1]])).status).toBe(200);
      expect(await placeOrder(userId, [[productId, 1]])).toMatchObject({
        status: 409,
        body: { code: 'TOO_MANY_UNPAID_ORDERS' },
      });
      // invariant: 1 sold, 1 cancelled, 3 unpaid
      expect(await stockOf(productId)).toBe(stock - 1);
      expect(await reservedLeft(productId)).toBe(stock - 1 - 3);
    });
  });

  describe('payment window', () => {
    let short: RunningService;
    beforeAll(async () => {
      // 2 s to pay; swept 3 s after the deadline, every second
      short = await startOrder('order-short-window', 21_100, {
        PAYMENT_WINDOW_SECONDS: '2',
        PAYMENT_GRACE_SECONDS: '3',
        PAYMENT_SWEEP_SECONDS: '1',
      });
    });

    it('an unpaid order ends at its deadline: paying is refused at once, the sweep releases what it held', async () => {
      const productId = await newProduct(2, { purchaseLimit: 1 });
      const [a, b] = [randomUserId(), randomUserId()];
      const first = await placeOrder(a, [[productId, 1]], short.url);
      const second = await placeOrder(b, [[productId, 1]], short.url);
      expect([first.status, second.status]).toEqual([200, 200]);
      const [orderA, orderB] = [first.body.orderId!, second.body.orderId!];
      for (const [userId, orderId] of [
        [a, orderA],
        [b, orderB],
      ] as const) {
        expect((await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) })).status).toBe(200);
      }
      expect(await reservedLeft(productId)).toBe(0);

      // past the deadline, before the sweep: the payment service reads the order and finds it over
      await new Promise((r) => setTimeout(r, 2300));
      const refused = await pay(a, orderA);
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([400, 'CANCELLED_ORDER']);
      expect(await statusOf(orderA)).toBe('CANCEL');
      expect(await statusOf(orderB)).toBe('PAYMENT_PENDING'); // not yet swept

      // the sweep ends the other one and everything it held comes back
      await eventually(async () => ((await statusOf(orderB)) === 'CANCEL' ? true : undefined), 15_000);
      await eventually(async () => ((await reservedLeft(productId)) === 2 ? true : undefined));
      expect(await shopperUnits(productId, b)).toBe(0);
      expect(await unpaidOrders(b)).toEqual([]);
      const late = await pay(b, orderB);
      expect(late.status).toBe(400);
      expect(((await late.json()) as { code: string }).code).toBe('CANCELLED_ORDER');
      const payments = await withMysql(TEST_DB.payment, (q) =>
        q('SELECT status FROM payments WHERE order_id IN (?, ?)', [orderA, orderB]),
      );
      expect(payments.map((p) => p.status)).toEqual(['CANCEL', 'CANCEL']);
      expect(await stockOf(productId)).toBe(2); // nothing was taken
      // the units are on sale again, the limit counts afresh
      expect((await placeOrder(b, [[productId, 1]])).status).toBe(200);
    });

    it('the order-cancel job, without UNPAID_ORDER_TIMEOUT_MINUTES, ends orders past their stored deadline', async () => {
      const productId = await newProduct(3);
      const userId = randomUserId();
      const { body } = await placeOrder(userId, [[productId, 1]]);
      const fresh = await placeOrder(randomUserId(), [[productId, 1]]);
      await withMysql(TEST_DB.order, (q) =>
        q('UPDATE orders SET payment_deadline = NOW(3) - INTERVAL 10 SECOND WHERE order_id = ?', [body.orderId]),
      );
      expect(runJob('order-cancel', { PAYMENT_GRACE_SECONDS: '0' }).status).toBe(0);
      expect(await statusOf(body.orderId!)).toBe('CANCEL');
      expect(await statusOf(fresh.body.orderId!)).toBe('PAYMENT_PENDING');
      await eventually(async () => ((await reservedLeft(productId)) === 2 ? true : undefined));
      expect(await unpaidOrders(userId)).toEqual([]);
    });
  });

  describe("the shopper's own cancel of an unpaid order", () => {
    it('gives the units back at once; the started payment can no longer be paid', async () => {
      const productId = await newProduct(1);
      const [a, b] = [randomUserId(), randomUserId()];
      const { body } = await placeOrder(a, [[productId, 1]]);
      const orderId = body.orderId!;
      expect(await placeOrder(b, [[productId, 1]])).toMatchObject({ status: 409, body: { code: 'STOCK_SHORTAGE' } });
      expect((await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(a) })).status).toBe(200);

      expect((await cancel(a, orderId)).status).toBe(200);
      expect(await statusOf(orderId)).toBe('CANCEL');
      await eventually(async () => ((await reservedLeft(productId)) === 1 ? true : undefined), 3000);
      expect(await unpaidOrders(a)).toEqual([]);
      // the last unit sells to someone else
      expect((await placeOrder(b, [[productId, 1]])).status).toBe(200);
      expect(await reservedLeft(productId)).toBe(0);

      await eventually(async () => {
        const [p] = await withMysql(TEST_DB.payment, (q) =>
          q('SELECT status FROM payments WHERE order_id = ?', [orderId]),
        );
        return p.status === 'CANCEL' ? true : undefined;
      });
      const late = await pay(a, orderId);
      expect(late.status).toBe(400);
      expect(((await late.json()) as { code: string }).code).toBe('CANCELLED_ORDER');
      expect(await stockOf(productId)).toBe(1);
      expect((await cancel(a, orderId)).status).toBe(404); // once
    });
    it('cancelled while its payment is being charged: the charge is cancelled, stock and units come back', async () => {
      const productId = await newProduct(2, { purchaseLimit: 2 });
      const userId = randomUserId();
      const { body } = await placeOrder(userId, [[productId, 2]]);
      const orderId = body.orderId!;
      // the PG answers after 3 s; the shopper cancels meanwhile
      const paying = pay(userId, orderId, `mock-slow-${orderId}`);
      await eventually(async () => {
        const [p] = await withMysql(TEST_DB.payment, (q) =>
          q('SELECT status FROM payments WHERE order_id = ?', [orderId]),
        );
        return p?.status === 'TRYING' ? true : undefined;
      }, 3000);
      expect((await cancel(userId, orderId)).status).toBe(200);
      const paid = await paying;
      expect([paid.status, ((await paid.json()) as { code: string }).code]).toEqual([400, 'CANCELLED_ORDER']);
      expect(await statusOf(orderId)).toBe('CANCEL');
      const [payment] = await withMysql(TEST_DB.payment, (q) =>
        q('SELECT status FROM payments WHERE order_id = ?', [orderId]),
      );
      expect(payment.status).toBe('CANCEL');
      // nothing lost: the stock the confirm took is back, and the reservation and the shopper's units
      await eventually(async () => ((await stockOf(productId)) === 2 ? true : undefined));
      await eventually(async () => ((await reservedLeft(productId)) === 2 ? true : undefined));
      expect(await shopperUnits(productId, userId)).toBe(0);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await stockOf(productId)).toBe(2); // given back once
    });
  });

  describe('release', () => {
    it('a release written before it carried the shopper still gives back their units and unpaid entry, once', async () => {
      const productId = await newProduct(5, { purchaseLimit: 2 });
      const userId = randomUserId();
      const { body } = await placeOrder(userId, [[productId, 2]]);
      const orderId = body.orderId!;
      expect([await reservedLeft(productId), await shopperUnits(productId, userId)]).toEqual([3, 2]);
      expect(await unpaidOrders(userId)).toEqual([orderId]);
      // what a replica of the previous version wrote when it ended the order: {orderId, items}
      const oldRelease = () =>
        withMysql(TEST_DB.order, async (q) => {
          await q("UPDATE orders SET status = 'CANCEL' WHERE order_id = ?", [orderId]);
          await q("INSERT INTO outbox_events (topic, payload) VALUES ('reservation-release', ?)", [
            JSON.stringify({ orderId, items: [{ productId, quantity: 2 }] }),
          ]);
        });
      await oldRelease();
      await eventually(async () => ((await reservedLeft(productId)) === 5 ? true : undefined));
      expect(await shopperUnits(productId, userId)).toBe(0);
      expect(await unpaidOrders(userId)).toEqual([]);
      await oldRelease(); // replayed: nothing twice
      await eventually(async () => {
        const [{ n }] = await withMysql(TEST_DB.order, (q) => q('SELECT COUNT(*) AS n FROM outbox_events'));
        return Number(n) === 0 ? true : undefined;
      });
      expect([await reservedLeft(productId), await shopperUnits(productId, userId)]).toEqual([5, 0]);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (userId: number, key: string, products: [string, number][]) =>
      fetch(`${url('order')}/orders`, {
        method: 'POST',
        headers: { ...as(userId), 'idempotency-key': key },
        body: JSON.stringify(orderForm(products)),
      });

    it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; the same body replays the answer', async () => {
      const productId = await newProduct(10);
      const userId = randomUserId();
      const first = await post(userId, 'same-key', [[productId, 1]]);
      expect(first.status).toBe(200);
      const { orderId } = (await first.json()) as { orderId: string };
      const other = await post(userId, 'same-key', [[productId, 2]]);
      expect(other.status).toBe(422);
      expect(((await other.json()) as { code: string }).code).toBe('IDEMPOTENCY_KEY_REUSED');
      // the same body with its keys in another order is the same request
      const form = orderForm([[productId, 1]]);
      const reordered = Object.fromEntries(Object.entries(form).reverse());
      const replay = await fetch(`${url('order')}/orders`, {
        method: 'POST',
        headers: { ...as(userId), 'idempotency-key': 'same-key' },
        body: JSON.stringify(reordered),
      });
      expect(replay.status).toBe(200);
      expect(await replay.json()).toEqual({ orderId });
      expect(await reservedLeft(productId)).toBe(9);
    });

    it('while the first request runs, a repeat is 409 IDEMPOTENCY_KEY_IN_PROGRESS and nothing is ordered twice', async () => {
      const productId = await newProduct(10);
      const userId = randomUserId();
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(userId, 'busy-key', [[productId, 1]])));
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as { orderId?: string; code?: string }[];
      const kinds = new Set(answers.map((a, i) => `${a.status} ${bodies[i].code ?? ''}`));
      expect([...kinds].every((k) => ['200 ', '409 IDEMPOTENCY_KEY_IN_PROGRESS'].includes(k))).toBe(true);
      expect(kinds.has('409 IDEMPOTENCY_KEY_IN_PROGRESS')).toBe(true);
      expect(new Set(bodies.filter((b) => b.orderId).map((b) => b.orderId)).size).toBe(1);
      expect(await reservedLeft(productId)).toBe(9);

      // a key whose first request is still running (as another replica would leave it), another body: 422 first
      await redisValue((r) =>
        r.set(`IDEMPOTENCY:${userId}:running`, JSON.stringify({ hash: 'x'.repeat(64), pending: true }), 'EX', 60),
      );
      const reused = await post(userId, 'running', [[productId, 1]]);
      expect([reused.status, ((await reused.json()) as { code: string }).code]).toEqual([
        422,
        'IDEMPOTENCY_KEY_REUSED',
      ]);
    });
  });
});
