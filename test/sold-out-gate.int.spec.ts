import { AVAILABILITY_CHANNEL } from '@runrun/contracts';
import { createBrand, createProduct, gateway, newShopper, orderForm, productForm, Session } from '@runrun/testkit';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { TEST_DB, TEST_REDIS_URL, url } from './env';
import { orderStatuses, reservedLeft, stockOf } from './orders';
import { eventually, withMysql } from './stores';

/**
 * The sold-out gate: once an order replica finds a product's counter at zero, the gateways answer
 * its orders themselves (same status and code, never forwarded) until units come back or the
 * flag expires. Through the real gateway and order service under test.
 */
describe('sold-out crowd refused at the gateway', () => {
  let seller: Session;
  let brandId: number;
  const publisher = new Redis(TEST_REDIS_URL);

  /** A counter of `/metrics` of a service under test, by its label set. */
  const metric = async (service: string, line: string) => {
    const text = await (await fetch(`${url(service)}/metrics`)).text();
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found ? Number(found.split(' ')[1]) : 0;
  };
  const gateRefused = (reason = 'sold-out') =>
    metric('gateway', `runrun_gateway_sold_out_refused_total{reason="${reason}"}`);
  /** Refused at the door for either reason: after a rush the product's breaker may be open too. */
  const gateRefusedAny = async () => (await gateRefused('sold-out')) + (await gateRefused('unavailable'));
  const orderRefused = () => metric('order', 'runrun_orders_refused_total{reason="STOCK_SHORTAGE"}');

  const order = async (shopper: Session, productId: string, headers: Record<string, string> = {}) => {
    const res = await fetch(gateway('/orders'), {
      method: 'POST',
      headers: { ...shopper.auth, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(orderForm([[productId, 1]])),
    });
    return { status: res.status, body: (await res.json()) as { orderId?: string; code?: string; message?: unknown } };
  };
  const newProduct = async (quantity: number) =>
    createProduct(seller.auth, productForm(brandId, { quantity, price: 10000, discount: 0 }));

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });
  afterAll(() => publisher.quit());

  it('sold out: the gateway answers 409 STOCK_SHORTAGE itself; a cancellation gives the unit back and orders go through again', async () => {
    const [a, b, c] = await Promise.all([newShopper(), newShopper(), newShopper()]);
    const productId = await newProduct(2);
    const first = await order(a, productId);
    expect(first.status).toBe(200);
    expect((await order(b, productId)).status).toBe(200);

    // the order service finds the counter at zero and tells the gateways
    const byService = await orderRefused();
    const refused = await order(c, productId);
    expect(refused).toMatchObject({ status: 409, body: { code: 'STOCK_SHORTAGE' } });
    expect(await orderRefused()).toBe(byService + 1);

    // from now on the gateway answers, the same envelope, and the order service sees nothing
    const atGate = await gateRefused();
    const again = await eventually(async () => {
      const r = await order(c, productId);
      return (await gateRefused()) > atGate ? r : undefined;
    }, 5000);
    expect(again).toEqual({ status: 409, body: { ...refused.body, timestamp: expect.any(String) } });
    const before = await orderRefused();
    for (let i = 0; i < 5; i++) expect((await order(c, productId)).status).toBe(409);
    expect(await orderRefused()).toBe(before);
    expect(await gateRefused()).toBeGreaterThanOrEqual(atGate + 6);

    // a retry with an Idempotency-Key reaches the order service, which holds its answer
    const key = randomUUID();
    expect((await order(c, productId, { 'idempotency-key': key })).status).toBe(409);
    expect(await orderRefused()).toBe(before + 1);

    // the first shopper cancels: the unit comes back, the flag is cleared, the next order is accepted
    const [{ id }] = await withMysql(TEST_DB.order, (q) =>
      q('SELECT id FROM orders WHERE order_id = ?', [first.body.orderId]),
    );
    const cancel = await fetch(gateway(`/orders/${id}/cancel`), { method: 'POST', headers: a.auth });
    expect(cancel.status).toBe(200);
    await eventually(async () => ((await reservedLeft(productId)) === 1 ? true : undefined));
    const later = await eventually(async () => {
      const r = await order(c, productId);
      return r.status === 200 ? r : undefined;
    }, 5000);
    expect(later.body.orderId).toEqual(expect.any(String));
    expect(await reservedLeft(productId)).toBe(0);
  });

  it('a flag expires by itself: a lost "available" refuses orders only for its lifetime', async () => {
    const shopper = await newShopper();
    const productId = await newProduct(5);
    const atGate = await gateRefused();
    await publisher.publish(AVAILABILITY_CHANNEL, JSON.stringify({ productId, state: 'sold-out', ttlMs: 1500 }));
    const refused = await eventually(async () => {
      const r = await order(shopper, productId);
      return r.status === 409 ? r : undefined;
    }, 3000);
    expect(refused.body.code).toBe('STOCK_SHORTAGE');
    expect(await gateRefused()).toBeGreaterThan(atGate);
    // while a flag is set the gate reads order bodies: one for another product is forwarded intact
    const other = await newProduct(3);
    const forwarded = await order(shopper, other);
    expect(forwarded.status).toBe(200);
    expect(await reservedLeft(other)).toBe(2);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await order(shopper, productId)).status).toBe(200);
    expect(await reservedLeft(productId)).toBe(4);
  });

  it('a rush through the gateway: exactly the stock is accepted, nothing twice, the counter ends at zero and the crowd after is refused at the door', async () => {
    const shoppers = await Promise.all(Array.from({ length: 8 }, () => newShopper()));
    const STOCK = 10;
    const productId = await newProduct(STOCK);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => order(shoppers[i % shoppers.length], productId)),
    );
    const accepted = results.filter((r) => r.status === 200).map((r) => r.body.orderId!);
    expect(accepted).toHaveLength(STOCK);
    expect(new Set(accepted).size).toBe(STOCK);
    // refusals are answers, never failures: sold out, a shopper's unpaid cap, or the breaker
    for (const r of results.filter((x) => x.status !== 200)) {
      expect([409, 503]).toContain(r.status);
      expect(r.body.code).toMatch(/^(STOCK_SHORTAGE|TOO_MANY_UNPAID_ORDERS|SERVICE_UNAVAILABLE)$/);
    }
    // the invariant: initial = remaining + held by accepted orders, nothing below zero
    expect(await reservedLeft(productId)).toBe(0);
    const statuses = await orderStatuses(accepted);
    expect([...statuses.values()].filter((s) => s === 'PAYMENT_PENDING')).toHaveLength(STOCK);
    expect(await stockOf(productId)).toBe(STOCK); // units leave the stock when paid
    // the crowd that comes after is answered at the door
    const atGate = await gateRefusedAny();
    await eventually(async () => {
      const late = await Promise.all(shoppers.map((s) => order(s, productId)));
      expect(late.every((r) => r.status === 409 || r.status === 503)).toBe(true);
      return (await gateRefusedAny()) > atGate ? true : undefined;
    }, 5000);
    expect(await reservedLeft(productId)).toBe(0);
  });
});
