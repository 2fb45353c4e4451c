import { createGrpcClient, GrpcClient, GrpcStatus } from '@runrun/common';
import { RunningService, startService } from '@runrun/launcher';
import mongoose from 'mongoose';
import { randomUUID } from 'node:crypto';
import { TEST_ENV, TEST_LOG_DIR, wiring } from './env';
import { OwnRedis } from './redis-servers';
import { eventually } from './stores';

type ProductClient = GrpcClient<'ProductService'>;
/** A row arranged as the service writes it. */
type Row = { _id: string } & Record<string, unknown>;

/**
 * The authoritative stock when its servers fail: a product service of its own (ports +26000, its
 * own MongoDB database, Kafka group and three lock servers it may stop), a movement left half done
 * as a crash leaves it, a crash in the middle of a rush. A server being away is answered
 * UNAVAILABLE (payment answers 503 and the payment may be tried again), never as a shortage; what
 * a call leaves half done is completed by the order's next call or rolled back by recovery; the
 * stock always equals the initial stock minus the decreases recorded as applied.
 */
describe('stock when its servers fail', () => {
  const OFFSET = 12_000;
  const MONGO_URL = 'mongodb://127.0.0.1:27017/runrun_test_stock_recovery';
  const servers = [new OwnRedis(26391), new OwnRedis(26392), new OwnRedis(26393)];
  let product: RunningService;
  let client: ProductClient;
  let db: mongoose.mongo.Db;
  let connection: mongoose.Connection;

  const start = async () => {
    product = await startService('product', {
      portOffset: OFFSET,
      instance: 'product-stock-recovery',
      logDir: TEST_LOG_DIR,
      env: {
        ...TEST_ENV,
        ...wiring,
        MONGO_URL,
        REDLOCK_URLS: servers.map((s) => s.url).join(','),
        KAFKA_GROUP_PREFIX: 'test-stock-recovery-',
        // recovery looks at a movement left open 2 s after its last change
        STOCK_RECOVERY_GRACE_SECONDS: '2',
      },
    });
  };

  /** A product arranged directly in the service's database. */
  const newProduct = async (quantity: number, extra: Record<string, unknown> = {}) => {
    const _id = new mongoose.Types.ObjectId();
    await db.collection('products').insertOne({
      _id,
      name: 'Flash tee',
      price: 10000,
      discount: 0,
      quantity,
      deliveryFee: 0,
      categories: [],
      likes: [],
      productBrand: { id: 1, name: 'RUNRUN Studio' },
      userId: 1,
      isDeleted: false,
      orderingOpensAt: new Date(),
      isSpecial: false,
      ...extra,
    });
    return String(_id);
  };
  const stockOf = async (id: string) =>
    (await db.collection('products').findOne({ _id: new mongoose.Types.ObjectId(id) }))!.quantity as number;
  const marksOf = async (id: string) =>
    Object.keys(
      ((await db.collection('products').findOne({ _id: new mongoose.Types.ObjectId(id) }))!.stockMarks ?? {}) as object,
    );
  const movement = (id: string) =>
    db.collection<{ _id: string; state?: string }>('stock_movements').findOne({ _id: id });
  const openRow = (id: string) =>
    db.collection<{ _id: string; state?: string }>('stock_movements_open').findOne({ _id: id });

  /** The payment's call: true (taken), false (shortage), or the gRPC status it failed with. */
  const take = (orderId: string, items: [string, number][]) =>
    client
      .CheckAndUpdateProductStock({
        orderId,
        productQuantity: items.map(([productId, quantity]) => ({ productId, quantity })),
      })
      .then(
        (r) => r.isSuccess,
        (e: { code?: number }) => e.code ?? -1,
      );

  beforeAll(async () => {
    await Promise.all(servers.map((s) => s.start()));
    connection = await mongoose.createConnection(MONGO_URL).asPromise();
    await connection.dropDatabase(); // FerretDB scans whole collections: start small
    db = connection.db!;
    await start();
    client = createGrpcClient('ProductService', `127.0.0.1:${9001 + OFFSET}`, 30_000);
  });
  afterAll(async () => {
    client?.close();
    await product?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await connection?.close();
  });

  it('with the lock quorum lost a decrease is UNAVAILABLE, not a shortage; once back, the same decrease takes the stock once', async () => {
    const id = await newProduct(10);
    const orderId = randomUUID();
    await servers[1].stop();
    await servers[2].stop();
    try {
      expect(await take(orderId, [[id, 3]])).toBe(GrpcStatus.UNAVAILABLE);
      expect(await stockOf(id)).toBe(10);
      // asked again while the servers are still away: the same, never "sold out"
      expect(await take(orderId, [[id, 3]])).toBe(GrpcStatus.UNAVAILABLE);
    } finally {
      await servers[1].start();
      await servers[2].start();
    }
    expect(await take(orderId, [[id, 3]])).toBe(true);
    expect(await stockOf(id)).toBe(7);
    expect(await take(orderId, [[id, 3]])).toBe(true); // asked again: nothing more taken
    expect(await stockOf(id)).toBe(7);
    // the decision, in its open row until it is copied to the movement's row
    const open = await openRow(`decrease:${orderId}`);
    expect(open?.state ?? (await movement(`decrease:${orderId}`))?.state).toBe('applied');
  });

  it('a decrease a crash left applying after taking the stock is rolled back by recovery; asked again, it takes the stock once', async () => {
    const [a, b] = [await newProduct(10), await newProduct(5)];
    const orderId = randomUUID();
    const id = `decrease:${orderId}`;
    const items = [
      { productId: a, quantity: 2 },
      { productId: b, quantity: 1 },
    ];
    // as the process leaves it when it dies after taking a's units, before b's and before the decision
    await db
      .collection('products')
      .updateOne(
        { _id: new mongoose.Types.ObjectId(a) },
        { $inc: { quantity: -2 }, $set: { [`stockMarks.${id}`]: 1 } },
      );
    await db
      .collection<Row>('stock_movements')
      .insertOne({ _id: id, orderId, kind: 'decrease', items, state: 'applying', updatedAt: new Date() });
    await db.collection<Row>('stock_movements_open').insertOne({
      _id: id,
      orderId,
      kind: 'decrease',
      items,
      attempt: randomUUID(),
      checkAfter: new Date(Date.now() - 1000),
    });

    await eventually(async () => ((await movement(id)) === null ? true : undefined));
    expect([await stockOf(a), await stockOf(b)]).toEqual([10, 5]);
    expect(await openRow(id)).toBeNull();
    expect(await marksOf(a)).not.toContain(id);

    expect(
      await take(orderId, [
        [a, 2],
        [b, 1],
      ]),
    ).toBe(true);
    expect(
      await take(orderId, [
        [a, 2],
        [b, 1],
      ]),
    ).toBe(true);
    expect([await stockOf(a), await stockOf(b)]).toEqual([8, 4]);
  });

  it('a decrease found applying when the order asks again is completed by that call, without taking twice', async () => {
    const [a, b] = [await newProduct(10), await newProduct(5)];
    const orderId = randomUUID();
    const id = `decrease:${orderId}`;
    const items = [
      { productId: a, quantity: 3 },
      { productId: b, quantity: 2 },
    ];
    // the call died after taking a's units; no open row either (a crash right after the claim)
    await db
      .collection('products')
      .updateOne(
        { _id: new mongoose.Types.ObjectId(a) },
        { $inc: { quantity: -3 }, $set: { [`stockMarks.${id}`]: 1 } },
      );
    await db
      .collection<Row>('stock_movements')
      .insertOne({ _id: id, orderId, kind: 'decrease', items, state: 'applying', updatedAt: new Date() });

    const retry = () =>
      take(orderId, [
        [a, 3],
        [b, 2],
      ]);
    expect(await retry()).toBe(true);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 3]);
    expect(await retry()).toBe(true);
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 3]);
    // a shortage found while completing one gives back what the dead call took, too
    const [c, d] = [await newProduct(4), await newProduct(0)];
    const short = randomUUID();
    const shortId = `decrease:${short}`;
    await db
      .collection('products')
      .updateOne(
        { _id: new mongoose.Types.ObjectId(c) },
        { $inc: { quantity: -1 }, $set: { [`stockMarks.${shortId}`]: 1 } },
      );
    await db.collection<Row>('stock_movements').insertOne({
      _id: shortId,
      orderId: short,
      kind: 'decrease',
      items: [
        { productId: c, quantity: 1 },
        { productId: d, quantity: 1 },
      ],
      state: 'applying',
      updatedAt: new Date(),
    });
    expect(
      await take(short, [
        [c, 1],
        [d, 1],
      ]),
    ).toBe(false);
    expect([await stockOf(c), await stockOf(d)]).toEqual([4, 0]);
  });

  it('a crash in the middle of a rush: every order asked again gets a definite answer and the stock is exact', async () => {
    const initial = 30;
    const id = await newProduct(initial);
    const orders = Array.from({ length: 80 }, () => randomUUID());
    const first = Promise.all(orders.map((o) => take(o, [[id, 1]])));
    // the process dies while decreases are queued and under way
    await eventually(async () => ((await stockOf(id)) < initial - 3 ? true : undefined), 20_000);
    product.process.kill('SIGKILL');
    await first;
    await start();

    // the payment tries every order again until it gets an answer
    const answers = await Promise.all(
      orders.map(async (o) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const answer = await take(o, [[id, 1]]);
          if (typeof answer === 'boolean') return answer;
          await new Promise((r) => setTimeout(r, 500));
        }
        throw new Error(`order ${o} never got an answer`);
      }),
    );
    const sold = answers.filter(Boolean).length;
    expect(sold).toBe(initial); // 80 orders for 30 units, every one answered: all 30 sold
    // the invariant: initial = remaining + the decreases recorded as applied; never below zero
    const applied = await eventually(async () => {
      const rows = await db
        .collection('stock_movements')
        .find({ _id: { $in: orders.map((o) => `decrease:${o}`) } as never })
        .toArray();
      const open = await db
        .collection('stock_movements_open')
        .countDocuments({ _id: { $in: orders.map((o) => `decrease:${o}`) } as never });
      return open === 0 ? rows.filter((r) => r.state === 'applied').length : undefined;
    }, 20_000);
    expect(applied).toBe(sold);
    expect(await stockOf(id)).toBe(initial - applied);
    expect(await stockOf(id)).toBeGreaterThanOrEqual(0);
  });
});
