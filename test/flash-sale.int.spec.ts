import { RunningService, startService } from '@runrun/launcher';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import { TEST_ENV, TEST_LOG_DIR, TEST_SERVICE_ENV, url, wiring } from './env';
import { orderStatuses, pay, placeOrder, randomUserId, reservedLeft, runJob, stockOf } from './orders';
import { eventually } from './stores';

/**
 * The flash sale against the real servers: 2,000 shoppers order one product with stock 100 at
 * once, through two order service processes. Exactly 100 are accepted; 80 pay, 20 abandon and are
 * cancelled by the cron job; stock and reservations add up.
 */
describe('flash sale', () => {
  let second: RunningService;
  let productId: string;

  beforeAll(async () => {
    second = await startService('order', {
      portOffset: 20_000,
      instance: 'order-second',
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...TEST_SERVICE_ENV.order },
    });
    const seller = await newShopper('SELLER');
    const brandId = await createBrand(seller.auth);
    productId = await createProduct(seller.auth, productForm(brandId, { quantity: 100, price: 10000, discount: 0 }));
  });
  afterAll(() => second?.stop());

  it('2,000 concurrent orders for stock 100 over two processes: exactly 100 accepted; paid + cancelled add up', async () => {
    const shoppers = Array.from({ length: 2000 }, () => randomUserId());
    const results = await Promise.all(
      shoppers.map((userId, i) =>
        placeOrder(userId, [[productId, 1]], i % 2 ? second.url : url('order')).then((r) => ({ userId, ...r })),
      ),
    );
    const accepted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(accepted).toHaveLength(100);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.code}`))).toEqual(
      new Set(refused.map((r) => (r.status === 503 ? '503 SERVICE_UNAVAILABLE' : '409 STOCK_SHORTAGE'))),
    );
    expect(await reservedLeft(productId)).toBe(0);
    // every accepted order's row was committed before its answer (rows of concurrent orders share INSERTs)
    const statuses = await orderStatuses(accepted.map((r) => r.body.orderId!));
    expect(statuses.size).toBe(100);
    expect([...statuses.values()].every((s) => s === 'PAYMENT_PENDING')).toBe(true);

    // 80 pay, 20 walk away
    const payers = accepted.slice(0, 80);
    for (let i = 0; i < payers.length; i += 20) {
      const batch = await Promise.all(payers.slice(i, i + 20).map((r) => pay(r.userId, r.body.orderId!)));
      expect(batch.map((res) => res.status)).toEqual(batch.map(() => 200));
    }
    const job = runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' });
    expect(job.status).toBe(0);

    const orderIds = accepted.map((r) => r.body.orderId!);
    const final = await eventually(async () => {
      const s = await orderStatuses(orderIds);
      const placed = [...s.values()].filter((v) => v === 'ORDER_PLACED').length;
      const cancelled = [...s.values()].filter((v) => v === 'CANCEL').length;
      return placed === 80 && cancelled === 20 ? s : undefined;
    }, 30_000);
    expect(final.size).toBe(100);

    // the invariant: initial = remaining + sold; reservations = initial − held by placed orders
    expect(await stockOf(productId)).toBe(20);
    await eventually(async () => ((await reservedLeft(productId)) === 20 ? true : undefined));
    // running the cancel job again releases nothing twice
    expect(runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' }).status).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await reservedLeft(productId)).toBe(20);
    expect(await stockOf(productId)).toBe(20);
  });
});
