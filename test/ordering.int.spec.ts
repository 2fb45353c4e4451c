import { RunningService, startService } from '@runrun/launcher';
import {
  brandForm,
  createBrand,
  createProduct,
  gateway,
  login,
  newShopper,
  productForm,
  signUp,
} from '@runrun/testkit';
import { TEST_DB, TEST_ENV, TEST_LOG_DIR, TEST_SERVICE_ENV, url, wiring } from './env';
import { as, orderForm, orderStatuses, pay, placeOrder, randomUserId, reservedLeft, runJob, stockOf } from './orders';
import { eventually, withMysql } from './stores';

const expectError = async (res: Response, status: number, code: string) => {
  const body = (await res.json()) as { code: string; message: unknown };
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  return body;
};
const post = (path: string, userId: number, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url('order')}${path}`, {
    method: 'POST',
    headers: { ...as(userId), ...headers },
    body: JSON.stringify(body),
  });

describe('orders', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  const newProduct = (overrides: Record<string, unknown> = {}) =>
    createProduct(seller.auth, productForm(brandId, { quantity: 10, price: 10000, discount: 10, ...overrides }));

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth, brandForm({ deliveryFee: 3000, freeDeliveryInfimum: 20000 }));
  });

  it.each([
    ['products', []],
    ['products.0.quantity', [{ id: 'x', quantity: 0 }]],
    ['products.0.quantity', [{ id: 'x', quantity: 1001 }]],
    ['products.0.id', [{ id: '', quantity: 1 }]],
  ])('a bad %s is 400 REQUEST_ARGUMENT_NOT_VALID', async (field, products) => {
    const body = await expectError(
      await post('/orders', 1, { ...orderForm([]), products }),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    expect(Object.keys(body.message as object)).toContain(field);
  });

  it.each([
    ['receiver.name', 'a'],
    ['receiver.address', 'short'],
    ['receiver.zipCode', '1234'],
    ['receiver.phone', '01012345678'],
  ])('a bad %s is 400 naming it', async (field, value) => {
    const form = orderForm([['a'.repeat(24), 1]]);
    const key = field.split('.')[1] as keyof typeof form.receiver;
    const body = await expectError(
      await post('/orders', 1, { ...form, receiver: { ...form.receiver, [key]: value } }),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    expect(Object.keys(body.message as object)).toEqual([field]);
  });

  it('missing receiver, duplicate products and a missing X-USER-ID are 400', async () => {
    const { receiver: _, ...noReceiver } = orderForm([['x', 1]]);
    await expectError(await post('/orders', 1, noReceiver), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    const id = await newProduct();
    await expectError(
      await post(
        '/orders',
        1,
        orderForm([
          [id, 1],
          [id, 2],
        ]),
      ),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    const res = await fetch(`${url('order')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(orderForm([[id, 1]])),
    });
    await expectError(res, 400, 'BAD_REQUEST');
  });

  it('a product not yet open is 400 ORDER_CONTAIN_CLOSING_PRODUCT; an unknown one GRPC_COMMUNICATION_ERROR', async () => {
    const later = await newProduct({ orderingOpensAt: '2099-01-01T10:00:00' });
    await expectError(
      await post('/orders', randomUserId(), orderForm([[later, 1]])),
      400,
      'ORDER_CONTAIN_CLOSING_PRODUCT',
    );
    await expectError(
      await post('/orders', randomUserId(), orderForm([['000000000000000000000000', 1]])),
      400,
      'GRPC_COMMUNICATION_ERROR',
    );
    expect(await reservedLeft(later)).toBeUndefined(); // nothing reserved
  });

  it('amounts and delivery fees per brand, as the original; my orders as a Slice', async () => {
    const cheap = await newProduct({ price: 10000, discount: 10 }); // 9,000 each
    const userId = randomUserId();
    const small = await placeOrder(userId, [[cheap, 1]]); // 9,000 < 20,000: fee 3,000
    const big = await placeOrder(userId, [[cheap, 3]]); // 27,000 ≥ 20,000: free
    expect([small.status, big.status]).toEqual([200, 200]);
    const slice = (await (
      await fetch(`${url('order')}/orders/me?page=0&size=1`, { headers: as(userId) })
    ).json()) as Record<string, unknown> & {
      content: {
        orderNumber: string;
        brands: { deliveryFee: number; products: { amount: number; quantity: number }[] }[];
      }[];
    };
    expect(slice).toMatchObject({
      size: 1,
      number: 0,
      first: true,
      last: false,
      numberOfElements: 1,
      empty: false,
      pageable: { pageNumber: 0, pageSize: 1, offset: 0 },
    });
    expect(slice.content[0]).toMatchObject({
      orderNumber: big.body.orderId,
      status: 'PAYMENT_PENDING',
      brands: [{ brandId, deliveryFee: 0, products: [{ quantity: 3, amount: 27000 }] }],
    });
    const page2 = (await (
      await fetch(`${url('order')}/orders/me?page=1&size=1`, { headers: as(userId) })
    ).json()) as typeof slice;
    expect(page2).toMatchObject({
      last: true,
      content: [{ orderNumber: small.body.orderId, brands: [{ deliveryFee: 3000 }] }],
    });
    // the payment amount includes the fee
    const page = await (
      await fetch(`${url('payment')}/checkout/${small.body.orderId}`, { headers: as(userId) })
    ).text();
    expect(page).toContain('<strong id="amount">12000</strong>');
  });

  it('an Idempotency-Key makes a retried order return the first answer and reserve once', async () => {
    const id = await newProduct({ quantity: 5 });
    const userId = randomUserId();
    const key = { 'idempotency-key': `k-${userId}` };
    // at once: the first runs, a repeat arriving meanwhile is told so (409), one arriving after gets its answer
    const answers = await Promise.all([1, 2, 3].map(() => post('/orders', userId, orderForm([[id, 2]]), key)));
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ orderId?: string; code?: string }>));
    const done = bodies.filter((_, i) => answers[i].status === 200);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(new Set(done.map((b) => b.orderId)).size).toBe(1);
    for (const [i, b] of bodies.entries()) {
      if (answers[i].status !== 200) expect([answers[i].status, b.code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_PROGRESS']);
    }
    const again = await post('/orders', userId, orderForm([[id, 2]]), key);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { orderId: string }).orderId).toBe(done[0].orderId);
    expect(await reservedLeft(id)).toBe(3);
    // another shopper's identical key is their own
    expect((await post('/orders', randomUserId(), orderForm([[id, 2]]), key)).status).toBe(200);
    expect(await reservedLeft(id)).toBe(1);
  });

  it('cancel and return: owner first (400 NOT_USERS_ORDER), then the state (404)', async () => {
    const id = await newProduct();
    const userId = randomUserId();
    const { body } = await placeOrder(userId, [[id, 1]]);
    const [{ id: orderRowId }] = await withMysql(TEST_DB.order, (q) =>
      q('SELECT id FROM orders WHERE order_id = ?', [body.orderId]),
    );
    await expectError(await post(`/orders/${orderRowId}/cancel`, randomUserId(), undefined), 400, 'NOT_USERS_ORDER');
    // an order awaiting payment may be cancelled by its owner, once
    expect((await post(`/orders/${orderRowId}/cancel`, userId, undefined)).status).toBe(200);
    await expectError(
      await post(`/orders/${orderRowId}/cancel`, userId, undefined),
      404,
      'ORDER_IN_PREPARATION_NOT_FOUND',
    );
    await expectError(await post('/orders/999999999/cancel', userId, undefined), 404, 'ORDER_IN_PREPARATION_NOT_FOUND');
    await expectError(await post(`/orders/${orderRowId}/return`, randomUserId(), undefined), 400, 'NOT_USERS_ORDER');
    await expectError(await post(`/orders/${orderRowId}/return`, userId, undefined), 404, 'ORDER_RETURN_NOT_ALLOWED');
    await expectError(await post('/orders/abc/cancel', userId, undefined), 400, 'REQUEST_ARGUMENT_NOT_VALID');
  });

  it('shipping moves one stage per run; a delivered order can be returned, and the return job gives stock and money back', async () => {
    const id = await newProduct({ quantity: 3 });
    const userId = randomUserId();
    const { body } = await placeOrder(userId, [[id, 1]]);
    const orderId = body.orderId!;
    expect((await pay(userId, orderId)).status).toBe(200);
    await eventually(async () => ((await orderStatuses([orderId])).get(orderId) === 'ORDER_PLACED' ? true : undefined));
    const age = (days: number) =>
      withMysql(TEST_DB.order, (q) =>
        q('UPDATE orders SET updated_at = NOW() - INTERVAL ? DAY WHERE order_id = ?', [days, orderId]),
      );
    const status = async () => (await orderStatuses([orderId])).get(orderId);

    await age(2);
    expect(runJob('shipping').status).toBe(0);
    expect(await status()).toBe('IN_TRANSIT'); // one stage only, though the order was 2 days old
    await age(2);
    expect(runJob('shipping').status).toBe(0);
    expect(await status()).toBe('DELIVERED');

    const [{ id: rowId }] = await withMysql(TEST_DB.order, (q) =>
      q('SELECT id FROM orders WHERE order_id = ?', [orderId]),
    );
    expect((await post(`/orders/${rowId}/return`, userId, undefined)).status).toBe(200);
    expect(await status()).toBe('BEING_RETURNED');
    expect(await stockOf(id)).toBe(2);
    expect(runJob('order-return').status).toBe(0);
    expect(await status()).toBe('RETURN_COMPLETED');
    await eventually(async () => ((await stockOf(id)) === 3 ? true : undefined));
    await eventually(async () => ((await reservedLeft(id)) === 3 ? true : undefined));
  });

  it('the receiver is saved as an address when asked, only for an accepted order', async () => {
    const email = await signUp();
    const session = await login(email);
    const id = await newProduct({ quantity: 1 });
    const form = {
      ...orderForm([[id, 1]]),
      shouldSaveNewAddress: true,
      receiver: { ...orderForm([]).receiver, name: '배송지 테스트', isDefault: false },
    };
    expect(
      (
        await fetch(gateway('/orders'), {
          method: 'POST',
          headers: { ...session.auth, 'content-type': 'application/json' },
          body: JSON.stringify(form),
        })
      ).status,
    ).toBe(200);
    const refused = await fetch(gateway('/orders'), {
      method: 'POST',
      headers: { ...session.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...form, receiver: { ...form.receiver, name: '품절 주문' } }),
    });
    expect(refused.status).toBe(409);
    const names = await eventually(async () => {
      const list = (await (await fetch(gateway('/users/addresses'), { headers: session.auth })).json()) as {
        receiverName: string;
      }[];
      return list.length === 2 ? list.map((a) => a.receiverName) : undefined;
    });
    expect(names).toEqual(['송송이', '배송지 테스트']);
  });
});

describe('carts', () => {
  let productA: string;
  let productB: string;
  beforeAll(async () => {
    const seller = await newShopper('SELLER');
    const brandId = await createBrand(seller.auth);
    productA = await createProduct(seller.auth, productForm(brandId, { name: 'Cart A', price: 10000, discount: 10 }));
    productB = await createProduct(seller.auth, productForm(brandId, { name: 'Cart B', price: 5000, discount: 0 }));
  });
  const call = (method: string, userId: number, body?: unknown) =>
    fetch(`${url('order')}/carts`, {
      method,
      headers: as(userId),
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('add, change, list grouped by brand, delete; missing items and products are refused', async () => {
    const userId = randomUserId();
    expect((await call('GET', userId)).status).toBe(200);
    expect(await (await call('GET', userId)).json()).toEqual([]);
    expect((await call('POST', userId, { id: productA, quantity: 1 })).status).toBe(200);
    expect((await call('POST', userId, { id: productA, quantity: 2 })).status).toBe(200);
    expect((await call('POST', userId, { id: productB, quantity: 1 })).status).toBe(200);
    expect((await call('PUT', userId, { id: productB, quantity: 4 })).status).toBe(200);
    const cart = (await (await call('GET', userId)).json()) as {
      items: { productId: string; quantity: number; totalPrice: number }[];
    }[];
    expect(cart).toHaveLength(1);
    expect(cart[0]).toMatchObject({ brandName: 'RUNRUN Studio', freeDeliveryInfimum: 50000, deliveryFee: 3000 });
    expect(cart[0].items.map((i) => [i.productId, i.quantity, i.totalPrice]).sort()).toEqual(
      [
        [productA, 3, 27000],
        [productB, 4, 20000],
      ].sort(),
    );
    const missing = 'f'.repeat(24);
    await expectError(await call('PUT', userId, { id: missing, quantity: 1 }), 400, 'ITEM_DOES_NOT_EXIST');
    await expectError(await call('DELETE', userId, { productIds: [productA, missing] }), 400, 'ITEM_DOES_NOT_EXIST');
    expect(((await (await call('GET', userId)).json()) as { items: unknown[] }[])[0].items).toHaveLength(2); // nothing removed
    expect((await call('DELETE', userId, { productIds: [productA] })).status).toBe(200);
    await expectError(
      await call('POST', userId, { id: '000000000000000000000000', quantity: 1 }),
      400,
      'GRPC_COMMUNICATION_ERROR',
    );
    await expectError(await call('POST', userId, { id: productA, quantity: 0 }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(await call('DELETE', userId, { productIds: [] }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
  });

  it('an order with shouldDeleteCartItem takes the ordered quantities out of the cart', async () => {
    const userId = randomUserId();
    await call('POST', userId, { id: productA, quantity: 3 });
    await call('POST', userId, { id: productB, quantity: 1 });
    expect(
      (
        await post('/orders', userId, {
          ...orderForm([
            [productA, 1],
            [productB, 1],
          ]),
          shouldDeleteCartItem: true,
        })
      ).status,
    ).toBe(200);
    const items = await eventually(async () => {
      const cart = (await (await call('GET', userId)).json()) as { items: { productId: string; quantity: number }[] }[];
      const lines = cart.flatMap((g) => g.items);
      return lines.length === 1 ? lines : undefined;
    });
    expect(items).toMatchObject([{ productId: productA, quantity: 2 }]);
  });
});

describe('product breakers', () => {
  let order: RunningService;
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;

  beforeAll(async () => {
    order = await startService('order', {
      portOffset: 20_000,
      instance: 'order-breakers',
      logDir: TEST_LOG_DIR,
      env: { ...TEST_ENV, ...wiring, ...TEST_SERVICE_ENV.order, BREAKER_MIN_CALLS: '10', BREAKER_OPEN_MS: '2000' },
    });
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });
  afterAll(() => order?.stop());

  const rejectedCount = async () => {
    const text = await (await fetch(`${order.url}/metrics`)).text();
    return Number(/^order_breaker_rejected_total (\d+)/m.exec(text)?.[1] ?? 0);
  };

  it('a sold-out product opens its breaker; others keep selling; it closes once stock is back', async () => {
    const hot = await createProduct(seller.auth, productForm(brandId, { quantity: 2 }));
    const other = await createProduct(seller.auth, productForm(brandId, { quantity: 100 }));
    const buyers = Array.from({ length: 2 }, () => randomUserId());
    const sold = await Promise.all(buyers.map((u) => placeOrder(u, [[hot, 1]], order.url)));
    expect(sold.map((r) => r.status)).toEqual([200, 200]);

    for (let i = 0; i < 12; i++) await placeOrder(randomUserId(), [[hot, 1]], order.url); // sold out: failures
    const before = await rejectedCount();
    const refused = await placeOrder(randomUserId(), [[hot, 1]], order.url);
    expect(refused).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    expect(await rejectedCount()).toBeGreaterThan(before);
    expect((await placeOrder(randomUserId(), [[other, 1]], order.url)).status).toBe(200);

    // a buyer's order is cancelled as unpaid: its unit is back
    expect(runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' }).status).toBe(0);
    await eventually(async () => ((await reservedLeft(hot)) === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2200)); // the open time passes: half-open
    expect((await placeOrder(randomUserId(), [[hot, 1]], order.url)).status).toBe(200);
    expect((await placeOrder(randomUserId(), [[hot, 1]], order.url)).status).toBe(200); // closed again
  });
});
