import { createGrpcClient, GrpcClient, KafkaBus } from '@runrun/common';
import { Topics } from '@runrun/contracts';
import { RunningService, startService } from '@runrun/launcher';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { TEST_ENV, TEST_LOG_DIR, wiring } from './env';
import { OwnRedis } from './redis-servers';
import { eventually } from './stores';

type ProductClient = GrpcClient<'ProductService'>;

/**
 * Authoritative stock through the real gRPC endpoint, concurrently, against real MongoDB and
 * Redis: never below zero, nothing taken twice, given back exactly once.
 */
describe('authoritative stock', () => {
  const bus = new KafkaBus(
    { brokers: ['127.0.0.1:9092'], clientId: 'test-stock', groupPrefix: 'test-stock-' },
    pino({ level: 'silent' }),
  );
  // payment calls CheckAndUpdateProductStock with a long deadline: a rush on one product queues
  const shared = createGrpcClient('ProductService', wiring.PRODUCT_GRPC_URL, 20_000);
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;

  const newProduct = (quantity: number) => createProduct(seller.auth, productForm(brandId, { quantity }));
  const stockOf = async (client: ProductClient, id: string) => (await client.GetProductItem({ id })).quantity;
  const take = (client: ProductClient, orderId: string, items: [string, number][]) =>
    client
      .CheckAndUpdateProductStock({
        orderId,
        productQuantity: items.map(([productId, quantity]) => ({ productId, quantity })),
      })
      .then((r) => r.isSuccess);

  /** 200 orders of 1 at once on a product with stock 50. */
  async function rush(client: ProductClient): Promise<void> {
    const id = await newProduct(50);
    const results = await Promise.all(Array.from({ length: 200 }, () => take(client, randomUUID(), [[id, 1]])));
    expect(results.filter(Boolean)).toHaveLength(50);
    expect(await stockOf(client, id)).toBe(0);
    // initial = remaining + taken
    expect(50).toBe((await stockOf(client, id)) + results.filter(Boolean).length);
  }

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });
  afterAll(async () => {
    shared.close();
    await bus.close();
  });

  it('200 concurrent decreases of 1 on stock 50: exactly 50 succeed, stock ends at 0', async () => {
    await rush(shared);
  });

  describe('with one of the three lock servers down', () => {
    const servers = [new OwnRedis(16391), new OwnRedis(16392), new OwnRedis(16393)];
    let product: RunningService;
    let client: ProductClient;

    beforeAll(async () => {
      await Promise.all(servers.map((s) => s.start()));
      product = await startService('product', {
        portOffset: 20_000,
        instance: 'product-own-locks',
        logDir: TEST_LOG_DIR,
        env: { ...TEST_ENV, ...wiring, REDLOCK_URLS: servers.map((s) => s.url).join(',') },
      });
      client = createGrpcClient('ProductService', `127.0.0.1:${9001 + 20_000}`, 20_000);
      await servers[1].stop();
    });
    afterAll(async () => {
      client?.close();
      await product?.stop();
      await Promise.all(servers.map((s) => s.stop()));
    });

    it('the same rush still sells exactly the stock, and the service stays ready (quorum 2 of 3)', async () => {
      const ready = await fetch(`${product.url}/health/ready`);
      expect(ready.status).toBe(200);
      await rush(client);
    });
  });

  it('an order of several products takes all or nothing, once per order id', async () => {
    const [a, b] = [await newProduct(5), await newProduct(1)];
    const orderId = randomUUID();
    expect(
      await take(shared, orderId, [
        [a, 2],
        [b, 2],
      ]),
    ).toBe(false); // b has only 1
    expect([await stockOf(shared, a), await stockOf(shared, b)]).toEqual([5, 1]);

    const paid = randomUUID();
    expect(
      await take(shared, paid, [
        [a, 2],
        [b, 1],
      ]),
    ).toBe(true);
    expect(
      await take(shared, paid, [
        [a, 2],
        [b, 1],
      ]),
    ).toBe(true); // asked again: same answer, nothing more taken
    expect([await stockOf(shared, a), await stockOf(shared, b)]).toEqual([3, 0]);
    // repeated ids add up
    expect(
      await take(shared, randomUUID(), [
        [a, 1],
        [a, 1],
      ]),
    ).toBe(true);
    expect(await stockOf(shared, a)).toBe(1);
  });

  it('a failed decrease publishes stock-check-failed for the order', async () => {
    const id = await newProduct(1);
    const seen: string[] = [];
    await bus.subscribe<{ orderId: string }>(`watch-${randomUUID()}`, [Topics.STOCK_CHECK_FAILED], async (e) => {
      seen.push(e.orderId);
    });
    const orderId = randomUUID();
    expect(await take(shared, orderId, [[id, 2]])).toBe(false);
    await eventually(async () => (seen.includes(orderId) ? true : undefined));
  });

  it('a replayed order-cancelled event restores stock once; an order that took nothing restores nothing', async () => {
    const id = await newProduct(10);
    const orderId = randomUUID();
    expect(await take(shared, orderId, [[id, 4]])).toBe(true);
    expect(await stockOf(shared, id)).toBe(6);

    const event = { orderId, productQuantity: { [id]: 4 } };
    for (let i = 0; i < 3; i++)
      await bus.publish(Topics.ORDER_CANCELLED, event, { key: orderId, eventId: randomUUID() });
    await bus.publish(Topics.ORDER_FAILED, event, { key: orderId, eventId: randomUUID() });
    await eventually(async () => ((await stockOf(shared, id)) === 10 ? true : undefined));

    // an order whose decrease failed, and one never seen, get nothing back
    const failed = randomUUID();
    expect(await take(shared, failed, [[id, 11]])).toBe(false);
    await bus.publish(Topics.ORDER_FAILED, { orderId: failed, productQuantity: { [id]: 11 } }, { key: failed });
    await bus.publish(Topics.ORDER_CANCELLED, { orderId: randomUUID(), productQuantity: { [id]: 5 } });
    // a marker order after them, on a second product, shows the consumer got past them
    const marker = await newProduct(3);
    const markerOrder = randomUUID();
    expect(await take(shared, markerOrder, [[marker, 1]])).toBe(true);
    await bus.publish(
      Topics.ORDER_CANCELLED,
      { orderId: markerOrder, productQuantity: { [marker]: 1 } },
      { key: failed },
    );
    await eventually(async () => ((await stockOf(shared, marker)) === 3 ? true : undefined));
    expect(await stockOf(shared, id)).toBe(10);
  });
});
