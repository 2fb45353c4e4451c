import type { INestApplicationContext } from '@nestjs/common';
import { KafkaBus, PermanentError } from '@runrun/common';
import { Topics } from '@runrun/contracts';
import { FakeKafka, quietLogger, startServiceModule, withProviders } from '@runrun/testkit';
import mongoose, { Connection } from 'mongoose';
import { AppModule } from '../src/app.module';
import { BrandDetails } from '../src/brand/brand-details';
import { loadConfig } from '../src/config';
import { MONGO } from '../src/mongo';
import { PRODUCT_MODEL, ProductModel } from '../src/product/product.schema';
import { ProductGrpcServer } from '../src/product/product.grpc';
import { StockChanges } from '../src/stock/stock-changes';
import { StockRecovery } from '../src/stock/stock-recovery';
import { STOCK_MOVEMENT_MODEL, StockMovementModel } from '../src/stock/stock-movement.schema';
import { StockService } from '../src/stock/stock.service';

/** The product service alone: a database of its own on the local FerretDB and Redis db 5, brand faked. */
const MONGO_URL = 'mongodb://127.0.0.1:27017/runrun_svc_product';
const REDIS_DB = 5;
const redisUrl = (port: number) => `redis://127.0.0.1:${port}/${REDIS_DB}`;

let app: INestApplicationContext;
let stock: StockService;
let products: ProductModel;
const kafka = new FakeKafka();
const brand = { id: 1, name: 'brand 1', userId: 3 };

const dropDatabase = async () => {
  const connection = await mongoose.createConnection(MONGO_URL).asPromise();
  await connection.dropDatabase();
  await connection.close();
};
const quantityOf = async (id: string) => (await products.findById(id).lean().exec())!.quantity;
/** Polls until `check` holds (the relays publish on their own timers). */
const until = async (check: () => boolean | Promise<boolean>) => {
  for (const deadline = Date.now() + 15_000; !(await check());) {
    if (Date.now() > deadline) throw new Error('condition not met within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const newProduct = async (quantity: number) =>
  String(
    (await products.create({ name: 'sneaker', price: 100_000, quantity, productBrand: brand, userId: brand.userId }))
      ._id,
  );

beforeAll(async () => {
  await dropDatabase();
  const defaults = loadConfig();
  const config = {
    ...defaults,
    mongoUrl: MONGO_URL,
    redis: { url: redisUrl(6379) },
    redlockUrls: [6379, 6380, 6381].map(redisUrl),
  };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('product')), [
      [BrandDetails, { get: async () => brand, forget: () => undefined }],
      [KafkaBus, kafka],
      [ProductGrpcServer, undefined],
      [StockRecovery, undefined],
    ]),
  );
  stock = app.get(StockService);
  products = app.get(PRODUCT_MODEL);
});

afterAll(async () => {
  await app?.close();
  await dropDatabase();
});

describe('stock on the product service', () => {
  it("takes an order's stock once, however often the decrease is asked", async () => {
    const id = await newProduct(10);
    expect(await stock.decrease('O-1', [{ productId: id, quantity: 3 }])).toBe(true);
    expect(await stock.decrease('O-1', [{ productId: id, quantity: 3 }])).toBe(true); // a retried payment
    expect(await quantityOf(id)).toBe(7);
    // one movement recorded for the order, with what it took
    const movements = await app.get<StockMovementModel>(STOCK_MOVEMENT_MODEL).find({ orderId: 'O-1' }).lean().exec();
    expect(movements).toEqual([
      expect.objectContaining({ _id: 'decrease:O-1', items: [{ productId: id, quantity: 3 }] }),
    ]);
  });

  it('takes nothing of an order it cannot cover, and tells order so (stock-check-failed)', async () => {
    const plenty = await newProduct(10);
    const scarce = await newProduct(1);
    const order = [
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 2 },
    ];
    expect(await stock.decrease('O-2', order)).toBe(false);
    expect([await quantityOf(plenty), await quantityOf(scarce)]).toEqual([10, 1]); // all or nothing
    await until(() => kafka.sentTo(Topics.STOCK_CHECK_FAILED).length > 0);
    expect(kafka.sentTo(Topics.STOCK_CHECK_FAILED).map((e) => e.payload)).toEqual([{ orderId: 'O-2' }]);
  });

  it('gives a paid order its stock back once when it is cancelled, the event delivered twice', async () => {
    const id = await newProduct(5);
    expect(await stock.decrease('O-3', [{ productId: id, quantity: 4 }])).toBe(true);
    await kafka.deliver(Topics.ORDER_CANCELLED, { orderId: 'O-3', productQuantity: { [id]: 4 } });
    await kafka.deliver(Topics.ORDER_CANCELLED, { orderId: 'O-3', productQuantity: { [id]: 4 } });
    expect(await quantityOf(id)).toBe(5);
    // an order whose stock was never taken gets nothing
    await kafka.deliver(Topics.ORDER_FAILED, { orderId: 'O-never', productQuantity: { [id]: 4 } });
    expect(await quantityOf(id)).toBe(5);
  });

  it("publishes a seller's restock as the difference, not the new value", async () => {
    const id = await newProduct(10);
    expect(await stock.decrease('O-4', [{ productId: id, quantity: 4 }])).toBe(true);
    await app.get(StockChanges).set(id, 20);
    expect(await quantityOf(id)).toBe(20);
    await until(() =>
      kafka.sentTo(Topics.STOCK_CHANGED).some((e) => (e.payload as { productId: string }).productId === id),
    );
    const [event] = kafka
      .sentTo(Topics.STOCK_CHANGED)
      .filter((e) => (e.payload as { productId: string }).productId === id);
    expect(event.payload).toEqual({ productId: id, delta: 14 });
    expect(event.options).toMatchObject({ key: id, eventId: expect.any(String) });
  });

  it('parks a stock event that can never be published in the outbox; the events after it go out', async () => {
    const [poison, fine] = [await newProduct(1), await newProduct(1)];
    const productOf = (payload: object) => (payload as { productId?: string }).productId;
    kafka.refuse = (_topic, payload) =>
      productOf(payload) === poison ? new PermanentError('message too large') : undefined;
    try {
      await app.get(StockChanges).set(poison, 2);
      await app.get(StockChanges).set(fine, 3);
      await until(() => kafka.sentTo(Topics.STOCK_CHANGED).some((e) => productOf(e.payload) === fine));
      expect(kafka.sentTo(Topics.STOCK_CHANGED).filter((e) => productOf(e.payload) === poison)).toEqual([]);
      const parked = await app
        .get<Connection>(MONGO)
        .collection('outbox_events')
        .find({ 'payload.productId': poison })
        .toArray();
      expect(parked).toEqual([
        expect.objectContaining({
          topic: Topics.STOCK_CHANGED,
          payload: { productId: poison, delta: 1 },
          attempts: 1,
          lastError: expect.stringContaining('message too large'),
          failedAt: expect.any(Date),
        }),
      ]);
    } finally {
      kafka.refuse = undefined;
    }
  });
});
