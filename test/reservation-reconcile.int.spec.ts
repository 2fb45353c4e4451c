import { RunningService, startService } from '@runrun/launcher';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { OutboxHandlers } from '@runrun/common';
import { ProductAvailability } from '../order/src/availability/product-availability';
import type { OrderRepository } from '../order/src/order/order.repository';
import { RedisKeys, SHOPPER_BUCKETS } from '../order/src/redis-keys';
import { Reservations } from '../order/src/reservation/reservations';
import { TEST_DB, TEST_ENV, TEST_LOG_DIR, TEST_REDIS_URL, TEST_SERVICE_ENV, wiring } from './env';
import { placeOrder, randomUserId, reservedLeft } from './orders';
import { eventually, withMysql } from './stores';

/**
 * A reservation whose order row never came (the process died between the Redis reservation and
 * the INSERT) is given back once after the grace period, by whichever order replica reconciles.
 */
describe('reservation reconciliation', () => {
  const started: RunningService[] = [];
  const redis = new Redis(TEST_REDIS_URL);
  // the service's own reservation code, without the rest of the process: a reservation then a "crash"
  const reservationsOn = (client: Redis) =>
    new Reservations(
      client,
      { register: () => undefined } as unknown as OutboxHandlers,
      {} as OrderRepository,
      pino({ level: 'silent' }),
      { available: () => undefined } as unknown as ProductAvailability,
    );
  const reservations = reservationsOn(redis);
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  let orderUrl: string;

  const reserveWithoutRow = (productId: string, quantity: number, initialStock: number) => {
    const now = Date.now();
    const orderId = `leak-${randomUUID()}`;
    return reservations
      .reserve(
        {
          orderId,
          userId: randomUserId(),
          items: [{ productId, quantity }],
          now,
          paymentDeadline: now + 900_000,
          maxUnpaid: 0,
        },
        () => initialStock,
        () => 0,
      )
      .then((refusal) => (refusal ? undefined : orderId));
  };
  const liveUnits = (orderIds: string[], productId: string) =>
    withMysql(TEST_DB.order, async (q) => {
      if (!orderIds.length) return 0;
      const rows = await q(
        `SELECT products FROM orders WHERE status = 'PAYMENT_PENDING' AND order_id IN (${orderIds.map(() => '?').join(',')})`,
        orderIds,
      );
      return rows.reduce((sum, r) => {
        const p = (typeof r.products === 'string' ? JSON.parse(r.products) : r.products) as Record<
          string,
          { quantity: number }
        >;
        return sum + (p[productId]?.quantity ?? 0);
      }, 0);
    });

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
    // two replicas reconciling every second with a 2 s grace
    for (const [instance, portOffset] of [
      ['order-reconcile-1', 13_000],
      ['order-reconcile-2', 13_100],
    ] as const) {
      started.push(
        await startService('order', {
          portOffset,
          instance,
          logDir: TEST_LOG_DIR,
          env: {
            ...TEST_ENV,
            ...wiring,
            ...TEST_SERVICE_ENV.order,
            MAX_UNPAID_ORDERS: '0',
            RESERVATION_GRACE_SECONDS: '2',
            RESERVATION_RECONCILE_SECONDS: '1',
          },
        }),
      );
    }
    orderUrl = started[0].url;
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    redis.disconnect();
  });

  it('leaked reservations come back once after the grace, under concurrent orders; those with a row stay', async () => {
    const stock = 40;
    const id = await createProduct(seller.auth, productForm(brandId, { quantity: stock, price: 10000, discount: 0 }));
    const accepted: string[] = [];
    const leakedIds: string[] = [];
    const orders = Array.from({ length: 20 }, async (_, i) => {
      const base = started[i % 2].url;
      const a = await placeOrder(randomUserId(), [[id, 1]], base);
      if (a.status === 200) accepted.push(a.body.orderId!);
      else throw new Error(`order ${a.status} ${JSON.stringify(a.body)}`);
    });
    const leaks = Array.from({ length: 10 }, async () => {
      const orderId = await reserveWithoutRow(id, 2, stock);
      if (orderId) leakedIds.push(orderId);
    });
    await Promise.all([...orders, ...leaks]);
    expect(accepted.length + leakedIds.length * 2).toBeLessThanOrEqual(stock);
    expect(await reservedLeft(id)).toBe(stock - accepted.length - leakedIds.length * 2);

    // after the grace (2 s) the leaked units are back, the accepted orders keep theirs
    await eventually(async () => ((await reservedLeft(id)) === stock - accepted.length ? true : undefined), 20_000);
    for (const orderId of leakedIds) expect(await redis.exists(RedisKeys.reservationReleased(id, orderId))).toBe(1);
    // and given back only once, whichever replica reconciled: still the same a few rounds later
    await new Promise((r) => setTimeout(r, 3000));
    expect(await reservedLeft(id)).toBe(stock - accepted.length);
    expect((await reservedLeft(id))! + (await liveUnits(accepted, id))).toBe(stock);
    // the records are dropped, for the leaked ones and for those with a row
    for (let bucket = 0; bucket < SHOPPER_BUCKETS; bucket++) {
      const recorded = await redis.zmscore(RedisKeys.reservationTimes(bucket), ...accepted, ...leakedIds);
      expect(recorded.every((s) => s === null)).toBe(true);
    }
    expect(orderUrl).toBeDefined();
  }, 90_000);

  it('a reservation cut between its product steps gives back only the products it took', async () => {
    const first = await createProduct(seller.auth, productForm(brandId, { quantity: 10, price: 10000, discount: 0 }));
    const second = await createProduct(seller.auth, productForm(brandId, { quantity: 10, price: 10000, discount: 0 }));
    expect(first < second).toBe(true); // products are taken in the order of their ids
    // the second's counter exists (an order took one unit), so a wrong give-back would show
    expect((await placeOrder(randomUserId(), [[second, 1]], orderUrl)).status).toBe(200);
    expect(await reservedLeft(second)).toBe(9);

    // the process "dies" right after the first product's step: its connection is gone
    const dying = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    await dying.connect();
    const cut = reservationsOn(dying);
    const step = (dying as unknown as { reserveProduct: (...args: unknown[]) => Promise<unknown> }).reserveProduct;
    (dying as unknown as { reserveProduct: unknown }).reserveProduct = async (...args: unknown[]) => {
      const answer = await step.apply(dying, args);
      dying.disconnect();
      return answer;
    };
    const now = Date.now();
    const orderId = `cut-${randomUUID()}`;
    const request = {
      orderId,
      userId: randomUserId(),
      items: [
        { productId: second, quantity: 3 },
        { productId: first, quantity: 2 },
      ],
      now,
      paymentDeadline: now + 900_000,
      maxUnpaid: 0,
    };
    try {
      await expect(
        cut.reserve(
          request,
          () => 10,
          () => 0,
        ),
      ).rejects.toThrow();
    } finally {
      dying.disconnect();
    }
    expect(await reservedLeft(first)).toBe(8);
    expect(await reservedLeft(second)).toBe(9);

    // after the grace the reconciler gives back the first product's units, and nothing of the second
    await eventually(async () => ((await reservedLeft(first)) === 10 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await reservedLeft(first)).toBe(10);
    expect(await reservedLeft(second)).toBe(9);
  }, 60_000);
});
