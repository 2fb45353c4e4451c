import type { INestApplicationContext } from '@nestjs/common';
import { AppException, KafkaBus } from '@runrun/common';
import type { ProductItemResponse } from '@runrun/contracts';
import {
  dropMysqlDatabase,
  FakeKafka,
  freshMysqlDatabase,
  mysqlRows,
  quietLogger,
  startServiceModule,
  withProviders,
} from '@runrun/testkit';
import Redis from 'ioredis';
import { AppModule } from '../src/app.module';
import { Catalog } from '../src/catalog/catalog';
import { loadConfig } from '../src/config';
import { bodyHash, Idempotency, OrderPlacement } from '../src/idempotency/idempotency';
import { OrderJobs } from '../src/jobs/order-jobs';
import { ReservationReconciler } from '../src/jobs/reservation-reconciler';
import { UnpaidSweeper } from '../src/jobs/unpaid-sweeper';
import type { CreateOrderForm } from '../src/order/order.dto';
import { OrderGrpcServer } from '../src/order/order.grpc';
import { OrderService } from '../src/order/order.service';
import { RedisKeys } from '../src/redis-keys';

/**
 * An Idempotency-Key whose first request died (its replica killed) is not stuck for a day: after
 * the reservation grace the first retry answers the order the dead request wrote, or places it.
 * On the order service's own stores (a database and Redis db of this spec's own), catalogue faked.
 */
const DATABASE = 'runrun_svc_order_idempotency';
const REDIS_URL = 'redis://127.0.0.1:6379/7';
const GRACE_MS = 60_000;
const run = Date.now().toString(36);
const SHOE = `shoe-${run}`;
const STOCK = 10;

const shoe: ProductItemResponse = {
  id: SHOE,
  thumbnail: '',
  brandId: 1,
  brandName: 'brand 1',
  name: SHOE,
  discount: 0,
  price: 30_000,
  discountedPrice: 30_000,
  orderingOpensAt: '2020-01-01T00:00:00',
  quantity: STOCK,
  purchaseLimit: 0,
};
const fakeCatalog = {
  productItems: async (ids: string[]) => new Map(ids.map((id) => [id, shoe])),
  brandInfos: async (ids: number[]) =>
    new Map(ids.map((id) => [id, { id, name: `brand ${id}`, freeDeliveryInfimum: 50_000, deliveryFee: 3000 }])),
};
const form = {
  products: [{ id: SHOE, quantity: 1 }],
  receiver: {
    isDefault: false,
    name: '송송이',
    address: '서울시 강남구 테헤란로 1',
    zipCode: '12345',
    phone: '010-1234-5678',
  },
} as CreateOrderForm;

let app: INestApplicationContext;
let orders: OrderService;
let idempotency: Idempotency;
let redis: Redis;
const counter = async () => Number(await redis.get(RedisKeys.stockCounter(SHOE)));
const ordersOf = async (userId: number) =>
  (await mysqlRows(DATABASE, 'SELECT order_id AS orderId FROM orders WHERE user_id = ?', [String(userId)])).map(
    (r) => r.orderId,
  );
/** The controller's call: place under the key's order id, or find what a dead request placed. */
const placement = (userId: number): OrderPlacement<{ orderId: string }> => ({
  place: (orderId) => orders.receive(userId, form, orderId),
  placed: (orderId) => orders.placed(userId, orderId),
});
/** The claim a request leaves when its replica dies mid-order, begun `agoMs` ago. */
const leaveClaim = async (userId: number, key: string, orderId: string, agoMs: number) => {
  const claim = { hash: bodyHash(form), pending: true, orderId, since: Date.now() - agoMs };
  await redis.set(RedisKeys.idempotency(userId, key), JSON.stringify(claim), 'EX', 3600);
};
const codeOf = (error: unknown) => (error instanceof AppException ? error.code : String(error));

beforeAll(async () => {
  await freshMysqlDatabase(DATABASE);
  redis = new Redis(REDIS_URL);
  await redis.flushdb();
  const defaults = loadConfig();
  const config = {
    ...defaults,
    db: { ...defaults.db, database: DATABASE },
    redis: { url: REDIS_URL },
    reconcile: { ...defaults.reconcile, graceMs: GRACE_MS },
  };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('order')), [
      [Catalog, fakeCatalog],
      [KafkaBus, new FakeKafka()],
      [OrderGrpcServer, undefined],
      [OrderJobs, undefined],
      [UnpaidSweeper, undefined],
      [ReservationReconciler, undefined],
    ]),
  );
  orders = app.get(OrderService);
  idempotency = app.get(Idempotency);
});

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await dropMysqlDatabase(DATABASE);
});

describe('an Idempotency-Key whose first request died', () => {
  it('is answered 409 in progress while the claim is younger than the grace', async () => {
    await leaveClaim(11, 'young', 'ORD-young', GRACE_MS / 2);
    await expect(idempotency.run(11, 'young', form, placement(11))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
    });
    expect(await ordersOf(11)).toEqual([]);
  });

  it('answers the order the dead request wrote, reserving nothing more', async () => {
    const { orderId } = await orders.receive(12, form); // the dead request got this far: row and units
    const before = await counter();
    await leaveClaim(12, 'wrote', orderId, GRACE_MS + 1000);
    expect(await idempotency.run(12, 'wrote', form, placement(12))).toEqual({ orderId });
    expect(await idempotency.run(12, 'wrote', form, placement(12))).toEqual({ orderId }); // now kept
    expect(await counter()).toBe(before);
    expect(await ordersOf(12)).toEqual([orderId]);
  });

  it('places the order once when many retries arrive together after a request that wrote nothing', async () => {
    await leaveClaim(13, 'nothing', 'ORD-never-written', GRACE_MS + 1000);
    const before = await counter();
    const answers = await Promise.allSettled(
      Array.from({ length: 12 }, () => idempotency.run(13, 'nothing', form, placement(13))),
    );
    const placed = await ordersOf(13);
    expect(placed).toHaveLength(1);
    expect(placed[0]).not.toBe('ORD-never-written');
    // each retry got the order or was told to retry later; none placed another
    for (const answer of answers) {
      if (answer.status === 'fulfilled') expect(answer.value).toEqual({ orderId: placed[0] });
      else expect(codeOf(answer.reason)).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    }
    expect(answers.some((a) => a.status === 'fulfilled')).toBe(true);
    expect(await counter()).toBe(before - 1);
    expect(await idempotency.run(13, 'nothing', form, placement(13))).toEqual({ orderId: placed[0] });
  });

  it('still refuses the key with another body', async () => {
    await leaveClaim(14, 'other', 'ORD-other', GRACE_MS + 1000);
    const other = { ...form, products: [{ id: SHOE, quantity: 2 }] } as CreateOrderForm;
    await expect(idempotency.run(14, 'other', other, placement(14))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });
});
