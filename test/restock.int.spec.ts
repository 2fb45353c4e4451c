import { createBrand, createProduct, gateway, multipart, newShopper, productForm } from '@runrun/testkit';
import Redis from 'ioredis';
import { TEST_DB, TEST_REDIS_URL } from './env';
import { orderStatuses, pay, placeOrder, randomUserId, reservedLeft, stockOf } from './orders';
import { eventually, withMysql } from './stores';

/**
 * A seller's stock change reaches the reservation counter as a difference (product's
 * stock-changed event, applied once by order), while orders run: a restock sells, a reduction
 * never lets accepted orders exceed the stock.
 */
describe('restock', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  const form = () => productForm(brandId, { price: 10000, discount: 0 });
  const newProduct = (quantity: number) => createProduct(seller.auth, { ...form(), quantity });
  const setStock = async (id: string, quantity: number) => {
    const { brandId: _, ...update } = { ...form(), quantity };
    const res = await fetch(gateway(`/products/${id}`), {
      method: 'PUT',
      headers: seller.auth,
      body: multipart(update),
    });
    expect(res.status).toBe(200);
  };
  const debtOf = async (id: string) => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      return Number((await redis.get(`RESERVED_PRODUCT_DEBT{${id}}`)) ?? 0);
    } finally {
      redis.disconnect();
    }
  };
  /** Units of `productId` in orders that still hold their reservation. */
  const liveUnits = (orderIds: string[], productId: string) =>
    withMysql(TEST_DB.order, async (q) => {
      if (!orderIds.length) return 0;
      const rows = await q(
        `SELECT products FROM orders WHERE status IN ('PAYMENT_PENDING','ORDER_PLACED') AND order_id IN (${orderIds
          .map(() => '?')
          .join(',')})`,
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
  const order = (id: string, quantity = 1) => placeOrder(randomUserId(), [[id, quantity]]);

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });

  it('a product sold out (breaker open) sells again at once after a restock, exactly the new stock', async () => {
    const id = await newProduct(2);
    const buyers = [randomUserId(), randomUserId()];
    const first = await Promise.all(buyers.map((u) => placeOrder(u, [[id, 1]])));
    expect(first.map((a) => a.status)).toEqual([200, 200]);
    for (const [i, a] of first.entries()) expect((await pay(buyers[i], a.body.orderId!)).status).toBe(200);
    expect(await stockOf(id)).toBe(0);
    // sold out: refused until the breaker opens (answers 503 at once)
    let opened = false;
    for (let round = 0; round < 10 && !opened; round++) {
      const soldOut = await Promise.all(Array.from({ length: 20 }, () => order(id)));
      expect(soldOut.every((a) => a.status === 409 || a.status === 503)).toBe(true);
      opened = soldOut.some((a) => a.status === 503);
    }
    expect(opened).toBe(true);

    await setStock(id, 8);
    expect(await stockOf(id)).toBe(8);
    // well within the breaker's 30 s open time
    const startedAt = Date.now();
    const firstSale = await eventually(async () => {
      const a = await order(id);
      return a.status === 200 ? a : undefined;
    }, 10_000);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const rest = await Promise.all(Array.from({ length: 20 }, () => order(id)));
    const accepted = [firstSale, ...rest].filter((a) => a.status === 200);
    expect(accepted).toHaveLength(8);
    expect(await reservedLeft(id)).toBe(0);
  }, 60_000);

  it('orders running while the seller raises and lowers the stock: counter + live units = stock set, never below zero', async () => {
    const id = await newProduct(20);
    const accepted: string[] = [];
    let lowest = Infinity;
    let running = true;
    const buyers = Array.from({ length: 8 }, async () => {
      while (running) {
        const a = await order(id, 1 + Math.floor(Math.random() * 2));
        if (a.status === 200) accepted.push(a.body.orderId!);
        else expect([409, 503]).toContain(a.status);
        const left = await reservedLeft(id);
        if (left !== undefined) lowest = Math.min(lowest, left);
      }
    });
    const sets = [30, 12, 50, 5, 60, 25];
    for (const quantity of sets) {
      await setStock(id, quantity);
      await new Promise((r) => setTimeout(r, 700));
    }
    running = false;
    await Promise.all(buyers);

    const finalStock = sets[sets.length - 1];
    expect(await stockOf(id)).toBe(finalStock);
    expect(new Set(accepted).size).toBe(accepted.length); // nothing reserved twice
    const statuses = await orderStatuses(accepted);
    expect(statuses.size).toBe(accepted.length);
    const live = await liveUnits(accepted, id);
    // every change applied (events are asynchronous): counter - debt + live units = the stock set
    await eventually(async () =>
      (await reservedLeft(id))! - (await debtOf(id)) + live === finalStock ? true : undefined,
    );
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await reservedLeft(id)).toBeGreaterThanOrEqual(0);
    // accepted orders never exceed the stock once the debt is settled
    if ((await debtOf(id)) === 0) expect(live).toBeLessThanOrEqual(finalStock);
    expect(accepted.length).toBeGreaterThan(0);
  }, 90_000);
});
