import { toLocalDateTime } from '@runrun/common';
import { RunningService, startService } from '@runrun/launcher';
import { createBrand, createProduct, gateway, json, newShopper, productForm } from '@runrun/testkit';
import { TEST_ENV, TEST_LOG_DIR, TEST_SERVICE_ENV, wiring } from './env';
import { placeOrder, randomUserId, reservedLeft } from './orders';

/**
 * Edges of the order path under load: product data expiring while a lookup is in flight, a cart
 * naming a deleted product, and a rush before the opening time.
 */
describe('order edges', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  let order: RunningService;
  const newProduct = (overrides: Record<string, unknown> = {}) =>
    createProduct(seller.auth, productForm(brandId, { price: 10000, discount: 0, ...overrides }));

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
    // product data kept 20 ms: entries expire while lookups of other products are in flight
    order = await startService('order', {
      portOffset: 13_200,
      instance: 'order-edges',
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...TEST_SERVICE_ENV.order, MAX_UNPAID_ORDERS: '0', ORDER_PRODUCT_CACHE_MS: '20' },
    });
  });
  afterAll(() => order?.stop());

  it('orders naming a cached and an uncached product under load never fail on an expired entry (500)', async () => {
    const stock = 1000;
    const shared = await newProduct({ quantity: stock });
    const others = await Promise.all(Array.from({ length: 20 }, () => newProduct({ quantity: stock })));
    const answers: number[] = [];
    const until = Date.now() + 5000;
    // a steady stream: a request finds the shared product cached and waits for another's lookup
    await Promise.all(
      Array.from({ length: 24 }, async (_, w) => {
        for (let i = 0; Date.now() < until; i++) {
          const other = others[(w * 7 + i) % others.length];
          const a = await placeOrder(
            randomUserId(),
            [
              [shared, 1],
              [other, 1],
            ],
            order.url,
          );
          answers.push(a.status);
        }
      }),
    );
    // sold out (409, then 503 from its breaker) at most, never a 500
    expect(answers.filter((s) => ![200, 409, 503].includes(s))).toEqual([]);
    // the invariant: every accepted order holds one unit of the shared product
    expect(await reservedLeft(shared)).toBe(stock - answers.filter((s) => s === 200).length);
  }, 90_000);

  it('GET /carts still answers once a product in the cart is deleted; its line leaves the cart', async () => {
    const customer = await newShopper();
    const [kept, deleted] = [await newProduct({ quantity: 5 }), await newProduct({ quantity: 5 })];
    for (const id of [kept, deleted]) {
      expect((await fetch(gateway('/carts'), json('POST', { id, quantity: 1 }, customer.auth))).status).toBeLessThan(
        300,
      );
    }
    const del = await fetch(gateway(`/products/${deleted}`), { method: 'DELETE', headers: seller.auth });
    expect(del.status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500)); // the order service reuses product data ~1 s
    const cart = await fetch(gateway('/carts'), { headers: customer.auth });
    expect(cart.status).toBe(200);
    const ids = ((await cart.json()) as { items: { productId: string }[] }[]).flatMap((g) =>
      g.items.map((i) => i.productId),
    );
    expect(ids).toEqual([kept]);
    const again = await fetch(gateway('/carts'), { headers: customer.auth });
    expect(again.status).toBe(200);
  });

  it('a rush before the opening is refused without opening the breaker: the sale opens selling', async () => {
    const opensAt = new Date(Date.now() + 6000);
    const id = await newProduct({ quantity: 50, orderingOpensAt: toLocalDateTime(opensAt) });
    const early: number[] = [];
    while (Date.now() < opensAt.getTime() - 1000) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => placeOrder(randomUserId(), [[id, 1]], order.url)),
      );
      early.push(...batch.map((a) => a.status));
    }
    expect(early.length).toBeGreaterThan(60); // beyond the breaker's 50 calls
    expect(new Set(early)).toEqual(new Set([400]));
    await new Promise((r) => setTimeout(r, Math.max(0, opensAt.getTime() - Date.now() + 1200)));
    const opened = await Promise.all(
      Array.from({ length: 10 }, () => placeOrder(randomUserId(), [[id, 1]], order.url)),
    );
    expect(opened.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(await reservedLeft(id)).toBe(40);
  }, 60_000);
});
