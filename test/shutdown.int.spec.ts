import { createGrpcClient, GrpcStatus } from '@runrun/common';
import { RunningService, startService } from '@runrun/launcher';
import { brandForm, multipart, PNG, productForm } from '@runrun/testkit';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TEST_ENV, TEST_LOG_DIR, url, wiring } from './env';
import { OwnRedis } from './redis-servers';
import { eventually } from './stores';

/**
 * SIGTERM (a rolling update, a scale-down) on a product service of its own (ports +26100, its own
 * MongoDB database, Kafka group and lock servers), while an HTTP request and a gRPC call wait for
 * a product's stock lock: both finish with their answer, new work is refused at once, the process
 * exits 0 within the drain bound, and its stores are closed only after its servers stopped.
 */
describe('shutdown', () => {
  const OFFSET = 12_100;
  const MONGO_URL = 'mongodb://127.0.0.1:27017/runrun_test_shutdown';
  const servers = [new OwnRedis(26394), new OwnRedis(26395), new OwnRedis(26396)];
  const seller = { 'x-user-id': String(randomInt(2_000_000_000, 2_100_000_000)), 'x-user-role': 'SELLER' };
  let product: RunningService;

  beforeAll(async () => {
    await Promise.all(servers.map((s) => s.start()));
    const fresh = await mongoose.createConnection(MONGO_URL).asPromise();
    await fresh.dropDatabase(); // FerretDB scans whole collections: start small
    await fresh.close();
    product = await startService('product', {
      portOffset: OFFSET,
      instance: 'product-shutdown',
      logDir: TEST_LOG_DIR,
      env: {
        ...TEST_ENV,
        ...wiring,
        MONGO_URL,
        REDLOCK_URLS: servers.map((s) => s.url).join(','),
        KAFKA_GROUP_PREFIX: 'test-shutdown-',
      },
    });
  });
  afterAll(async () => {
    await product?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('SIGTERM: work in flight finishes, new work is refused, exit 0 within the bound, stores closed after the servers', async () => {
    const brand = await fetch(`${url('brand')}/brands`, {
      method: 'POST',
      headers: seller,
      body: multipart(brandForm(), { image: PNG }),
    });
    expect(brand.status).toBe(200);
    const brandId = ((await brand.json()) as { id: number }).id;
    const created = await fetch(`${product.url}/products`, {
      method: 'POST',
      headers: seller,
      body: multipart(productForm(brandId, { quantity: 10 }), { thumbnail: PNG, descriptionImage: PNG }),
    });
    expect(created.status).toBe(200);
    const productId = ((await created.json()) as { id: string }).id;

    // the product's stock lock held elsewhere for a while: work on its stock waits
    const locks = servers.map((s) => new Redis(s.port, '127.0.0.1'));
    await Promise.all(locks.map((r) => r.set(`PRODUCT_STOCK:${productId}`, randomUUID(), 'PX', 5000, 'NX')));
    const grpc = createGrpcClient('ProductService', `127.0.0.1:${9001 + OFFSET}`, 30_000);
    const orderId = randomUUID();
    const decrease = grpc.CheckAndUpdateProductStock({ orderId, productQuantity: [{ productId, quantity: 1 }] });
    const { brandId: _, ...change } = productForm(brandId, { quantity: 20 });
    const update = fetch(`${product.url}/products/${productId}`, {
      method: 'PUT',
      headers: seller,
      body: multipart(change),
    });
    const connection = await mongoose.createConnection(MONGO_URL).asPromise();
    const db = connection.db!;
    await eventually(async () =>
      (await db.collection<{ _id: string }>('stock_movements').findOne({ _id: `decrease:${orderId}` }))
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 300)); // the update reaches the lock too

    const exited = new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) => {
      const sent = Date.now();
      product.process.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - sent }));
    });
    product.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));

    // new work is refused at once
    const fresh = await fetch(`${product.url}/health/live`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(fresh);
    const late = createGrpcClient('ProductService', `127.0.0.1:${9001 + OFFSET}`, 3000);
    await expect(late.GetProductItem({ id: productId })).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    late.close();

    // the lock comes free: what was in flight finishes with its answer
    await Promise.all(locks.map((r) => r.del(`PRODUCT_STOCK:${productId}`)));
    expect((await update).status).toBe(200);
    expect(await decrease).toEqual({ isSuccess: true });
    grpc.close();
    await Promise.all(locks.map((r) => r.quit()));

    const exit = await exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(12_000); // the 10 s bound, and the stores' close

    // the log: every server stopped before the first store closed
    const entries = readFileSync(product.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    const lines = entries.map((e) => e.msg);
    const at = (msg: string) => lines.indexOf(msg);
    const stopped = ['http server stopped', 'grpc server stopped', 'kafka consumers stopped'].map(at);
    const closed = ['mongodb closed', 'redis closed', 'redlock closed', 'kafka closed'].map(at);
    expect([...stopped, ...closed].every((i) => i >= 0)).toBe(true);
    expect(Math.max(...stopped)).toBeLessThan(Math.min(...closed));
    // nothing failed under a store closed too early
    const shutdown = entries.slice(at('shutting down: no new work, draining what is in flight'));
    expect(shutdown.filter((e) => e.level >= 50).map((e) => e.msg)).toEqual([]);

    // the decrease that finished during the drain is recorded
    const open = await db.collection<{ _id: string; state?: string }>('stock_movements_open').findOne({
      _id: `decrease:${orderId}`,
    });
    const row = await db.collection<{ _id: string; state?: string }>('stock_movements').findOne({
      _id: `decrease:${orderId}`,
    });
    expect(open?.state ?? row?.state).toBe('applied');
    await connection.close();
  });
});
