import { DependencyRegistry, KafkaBus, LOGGER, OutboxHandlers, OutboxRelay } from '@runrun/common';
import { ProductItemResponse, Topics } from '@runrun/contracts';
import { MysqlOutboxStore } from '@runrun/mysql';
import {
  dropMysqlDatabase,
  FakeKafka,
  freshMysqlDatabase,
  mysqlRows,
  quietLogger,
  startServiceModule,
  withProviders,
} from '@runrun/testkit';
import type { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { Catalog } from '../src/catalog/catalog';
import { loadConfig } from '../src/config';
import { OrderJobs } from '../src/jobs/order-jobs';
import { ReservationReconciler } from '../src/jobs/reservation-reconciler';
import { UnpaidSweeper } from '../src/jobs/unpaid-sweeper';
import type { CreateOrderForm } from '../src/order/order.dto';
import { Order, OrderStatus } from '../src/order/order.entity';
import { OrderGrpcServer } from '../src/order/order.grpc';
import { NewOrder, OrderRepository } from '../src/order/order.repository';
import { OrderService } from '../src/order/order.service';
import { RedisKeys } from '../src/redis-keys';

/** The order service alone: its MySQL database and Redis db of its own, product and brand faked. */
const DATABASE = 'runrun_svc_order';
const REDIS_URL = 'redis://127.0.0.1:6379/4';
const run = Date.now().toString(36);
const SHOE = `shoe-${run}`;
const CAP = `cap-${run}`;

const product = (id: string, brandId: number, discountedPrice: number, quantity: number): ProductItemResponse => ({
  id,
  thumbnail: '',
  brandId,
  brandName: `brand ${brandId}`,
  name: id,
  discount: 0,
  price: discountedPrice,
  discountedPrice,
  orderingOpensAt: '2020-01-01T00:00:00',
  quantity,
  purchaseLimit: 0,
});
/** The product and brand services as this order service sees them. */
const catalogue = new Map([
  [SHOE, product(SHOE, 1, 30_000, 10)],
  [CAP, product(CAP, 2, 5000, 3)],
]);
const fakeCatalog = {
  productItems: async (ids: string[]) => new Map(ids.map((id) => [id, catalogue.get(id)!])),
  brandInfos: async (ids: number[]) =>
    new Map(ids.map((id) => [id, { id, name: `brand ${id}`, freeDeliveryInfimum: 50_000, deliveryFee: 3000 }])),
};
const receiver = {
  isDefault: false,
  name: '송송이',
  address: '서울시 강남구 테헤란로 1',
  zipCode: '12345',
  phone: '010-1234-5678',
};
const orderOf = (lines: [string, number][], extra: Partial<CreateOrderForm> = {}) =>
  ({ products: lines.map(([id, quantity]) => ({ id, quantity })), receiver, ...extra }) as CreateOrderForm;

let app: INestApplicationContext;
let orders: OrderService;
let redis: Redis;
const kafka = new FakeKafka();
const rows = (sql: string, params: unknown[] = []) => mysqlRows(DATABASE, sql, params);
const counter = async (productId: string) => Number(await redis.get(RedisKeys.stockCounter(productId)));

beforeAll(async () => {
  await freshMysqlDatabase(DATABASE);
  redis = new Redis(REDIS_URL);
  await redis.flushdb();
  const defaults = loadConfig();
  const config = { ...defaults, db: { ...defaults.db, database: DATABASE }, redis: { url: REDIS_URL } };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('order')), [
      [Catalog, fakeCatalog],
      [KafkaBus, kafka],
      // intakes this spec does not exercise: outbox rows stay for the spec to read and relay
      [OrderGrpcServer, undefined],
      [OrderJobs, undefined],
      [UnpaidSweeper, undefined],
      [ReservationReconciler, undefined],
      [OutboxRelay, undefined],
    ]),
  );
  orders = app.get(OrderService);
});

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await dropMysqlDatabase(DATABASE);
});

/** One relay round, as the service's relay runs it: in-process handlers and Kafka (the fake). */
const relayOutbox = () =>
  new OutboxRelay(
    new MysqlOutboxStore(app.get(DataSource)),
    kafka as unknown as KafkaBus,
    app.get(OutboxHandlers),
    app.get(LOGGER),
    app.get(DependencyRegistry),
  ).relayBatch();

describe('the order service on its own stores', () => {
  let orderId: string;

  it('places an order: units reserved in Redis, the order row with its amounts, the address event in the outbox', async () => {
    ({ orderId } = await orders.receive(
      7,
      orderOf(
        [
          [SHOE, 2],
          [CAP, 1],
        ],
        { shouldSaveNewAddress: true },
      ),
    ));

    expect(await counter(SHOE)).toBe(8);
    expect(await counter(CAP)).toBe(2);
    expect(await redis.zscore(RedisKeys.unpaidOrders(7), orderId)).not.toBeNull();
    const [row] = await rows('SELECT * FROM orders WHERE order_id = ?', [orderId]);
    expect(row).toMatchObject({
      user_id: 7,
      status: 'PAYMENT_PENDING',
      total_amount: 65_000,
      total_delivery_fee: 3000,
    });
    expect(row.delivery_fees).toEqual({ 1: 0, 2: 3000 }); // 60 000 reaches brand 1's threshold, 5 000 does not
    expect(row.payment_deadline).not.toBeNull();
    const outbox = await rows('SELECT topic, event_key, payload FROM outbox_events');
    expect(outbox).toEqual([
      { topic: Topics.ADDRESS, event_key: '7', payload: expect.objectContaining({ userId: 7, zipCode: '12345' }) },
    ]);
  });

  it('refuses an order its stock does not cover, reserving and writing nothing', async () => {
    await expect(
      orders.receive(
        8,
        orderOf([
          [CAP, 1],
          [SHOE, 9],
        ]),
      ),
    ).rejects.toMatchObject({ code: 'STOCK_SHORTAGE' });
    expect(await counter(SHOE)).toBe(8);
    expect(await counter(CAP)).toBe(2); // all or nothing: the cap it could have had stays
    expect(await rows('SELECT id FROM orders WHERE user_id = 8')).toEqual([]);
  });

  it('cancels: the status changes with its effects in the outbox; relayed, the units come back and order-cancelled goes out', async () => {
    const [{ id }] = await rows('SELECT id FROM orders WHERE order_id = ?', [orderId]);
    await orders.cancel(7, Number(id));

    expect(await rows('SELECT status FROM orders WHERE order_id = ?', [orderId])).toEqual([{ status: 'CANCEL' }]);
    const topics = (await rows('SELECT topic FROM outbox_events ORDER BY id')).map((r) => r.topic);
    expect(topics).toEqual([Topics.ADDRESS, 'reservation-release', Topics.ORDER_CANCELLED]);

    expect(await relayOutbox()).toBe(3);
    expect(await counter(SHOE)).toBe(10);
    expect(await counter(CAP)).toBe(3);
    expect(await redis.zscore(RedisKeys.unpaidOrders(7), orderId)).toBeNull();
    expect(kafka.sentTo(Topics.ORDER_CANCELLED).map((e) => e.payload)).toEqual([
      { orderId, productQuantity: { [SHOE]: 2, [CAP]: 1 } },
    ]);
    expect(await rows('SELECT id FROM outbox_events')).toEqual([]);

    // a second cancel finds nothing to cancel and releases nothing twice
    await expect(orders.cancel(7, Number(id))).rejects.toMatchObject({ code: 'ORDER_IN_PREPARATION_NOT_FOUND' });
    expect(await counter(SHOE)).toBe(10);
  });

  it("applies a seller's stock change to the counter once, however often the event comes", async () => {
    await kafka.deliver(Topics.STOCK_CHANGED, { productId: SHOE, delta: 5 }, 'change-1');
    await kafka.deliver(Topics.STOCK_CHANGED, { productId: SHOE, delta: 5 }, 'change-1');
    expect(await counter(SHOE)).toBe(15);
  });
});

describe('the order repository', () => {
  /** Every value kind of the row: JSON with Korean text and quotes, a user id past 2^53, a deadline in ms. */
  const order = (orderId: string): NewOrder => ({
    orderId,
    userId: '9007199254740993',
    status: OrderStatus.PAYMENT_PENDING,
    products: {
      [SHOE]: {
        name: '러닝화 "한정판"',
        quantity: 2,
        thumbnail: 'https://img/1.png',
        brandId: 1,
        brandName: '브랜드',
        amount: 60_000,
        status: 'ORDER_PLACED',
        perShopper: true,
      },
    },
    deliveryFees: { 1: 0, 2: 3000 },
    totalAmount: 60_000,
    totalDeliveryFee: 3000,
    receiver: { name: '송송이', address: "서울시 O'Neil 1", zipCode: '01234', phone: '010-1234-5678' },
    paymentDeadline: new Date('2026-03-01T12:34:56.789Z'),
  });
  /** The row as stored: JSON byte for byte, the datetime as the server holds it. */
  const stored = async (orderId: string) => {
    const [row] = await rows(
      `SELECT HEX(products) AS products, HEX(delivery_fees) AS deliveryFees, HEX(receiver) AS receiver,
              total_amount, total_delivery_fee, status, CAST(user_id AS CHAR) AS userId,
              DATE_FORMAT(payment_deadline, '%Y-%m-%d %H:%i:%s.%f') AS deadline,
              ABS(TIMESTAMPDIFF(SECOND, created_at, UTC_TIMESTAMP())) < 60 AS createdNowUtc,
              created_at = updated_at AS untouched
       FROM orders WHERE order_id = ?`,
      [orderId],
    );
    return row;
  };

  it('writes the hot-path row exactly as the TypeORM query builder wrote it, alone, in a transaction or in a batch', async () => {
    const repository = app.get(OrderRepository);
    const dataSource = app.get(DataSource);
    const [before, alone, inTx] = ['builder', 'alone', 'tx'].map((k) => `${k}-${run}`);
    const batched = [1, 2, 3].map((k) => `batch${k}-${run}`);
    await dataSource.createQueryBuilder().insert().into(Order).values(order(before)).updateEntity(false).execute();
    await repository.insert(order(alone));
    await dataSource.transaction((tx) => repository.insert(order(inTx), tx));
    await repository.insertMany(batched.map(order));

    const expected = await stored(before);
    expect(expected).toMatchObject({
      userId: '9007199254740993',
      deadline: '2026-03-01 12:34:56.789000', // UTC
      createdNowUtc: 1,
      untouched: 1,
    });
    expect(await stored(alone)).toEqual(expected);
    expect(await stored(inTx)).toEqual(expected);
    for (const orderId of batched) expect(await stored(orderId)).toEqual(expected);
    // read back through the entity: the same order
    const { id: _id, createdAt: _created, updatedAt: _updated, ...read } = (await repository.byOrderId(alone))!;
    expect(read).toEqual(order(alone));
  });
});
