import { createBrand, createProduct, multipart, newShopper, productForm, gateway } from '@runrun/testkit';
import { createGrpcClient } from '@runrun/common';
import { TEST_DB, url, wiring } from './env';
import { as, orderStatuses, pay, placeOrder, randomUserId, reservedLeft, runJob, stockOf } from './orders';
import { eventually, withMysql } from './stores';

const expectError = async (res: Response, status: number, code: string) => {
  const body = (await res.json()) as { code: string };
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
};

describe('payment', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  const newProduct = (quantity: number) =>
    createProduct(seller.auth, productForm(brandId, { quantity, price: 10000, discount: 0 }));
  const order = async (productId: string, userId = randomUserId(), quantity = 1) => {
    const r = await placeOrder(userId, [[productId, quantity]]);
    expect(r.status).toBe(200);
    return { userId, orderId: r.body.orderId! };
  };
  const statusOf = async (orderId: string) => (await orderStatuses([orderId])).get(orderId);
  const waitStatus = (orderId: string, status: string) =>
    eventually(async () => ((await statusOf(orderId)) === status ? true : undefined));

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });

  it('a paid order is placed; paying twice is refused ALREADY_PAID_ORDER', async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId);
    expect((await pay(userId, orderId)).status).toBe(200);
    await waitStatus(orderId, 'ORDER_PLACED');
    expect(await stockOf(productId)).toBe(4);
    await expectError(await pay(userId, orderId, `mock-again-${orderId}`), 400, 'ALREADY_PAID_ORDER');
    expect(await stockOf(productId)).toBe(4);
  });

  it("another user's order can be neither opened nor paid (403 NOT_USERS_PAYMENT)", async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId);
    const intruder = randomUserId();
    await expectError(
      await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(intruder) }),
      403,
      'NOT_USERS_PAYMENT',
    );
    expect((await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) })).status).toBe(200);
    const res = await fetch(`${url('payment')}/payments`, {
      method: 'POST',
      headers: as(intruder),
      body: JSON.stringify({ orderId, amount: '13000', paymentKey: 'mock-intruder' }),
    });
    await expectError(res, 403, 'NOT_USERS_PAYMENT');
    expect(await stockOf(productId)).toBe(5);
  });

  it('a wrong amount is refused (PAYMENT_AMOUNT_MISMATCH) and nothing is charged', async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId);
    await expectError(await pay(userId, orderId, 'mock-cheap', 100), 400, 'PAYMENT_AMOUNT_MISMATCH');
    expect(await stockOf(productId)).toBe(5);
    expect((await pay(userId, orderId)).status).toBe(200); // the right amount still goes through
  });

  it('an expired order (cancelled as unpaid) cannot be paid: CANCELLED_ORDER', async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId);
    expect((await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) })).status).toBe(200);
    expect(runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' }).status).toBe(0);
    await waitStatus(orderId, 'CANCEL');
    await expectError(await pay(userId, orderId), 400, 'CANCELLED_ORDER');
    expect(await stockOf(productId)).toBe(5);
    await eventually(async () => ((await reservedLeft(productId)) === 5 ? true : undefined));
  });

  it.each([
    ['declined', 'mock-decline'],
    ['timed out', 'mock-timeout'],
  ])('a %s PG payment fails with PAYMENT_FAILED, restores stock once and releases the reservation', async (_, key) => {
    const productId = await newProduct(3);
    const { userId, orderId } = await order(productId, randomUserId(), 2);
    expect(await reservedLeft(productId)).toBe(1);
    await expectError(await pay(userId, orderId, `${key}-${orderId}`), 412, 'PAYMENT_FAILED');
    await waitStatus(orderId, 'PAYMENT_FAIL');
    await eventually(async () => ((await stockOf(productId)) === 3 ? true : undefined));
    await eventually(async () => ((await reservedLeft(productId)) === 3 ? true : undefined));
    await expectError(await pay(userId, orderId), 400, 'CANCELLED_ORDER');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stockOf(productId)).toBe(3); // restored once, not more
  });

  it('concurrent confirms of one order give exactly one payment', async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId);
    const page = await (await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) })).text();
    const amount = /<strong id="amount">(\d+)<\/strong>/.exec(page)![1];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${url('payment')}/payments`, {
          method: 'POST',
          headers: as(userId),
          body: JSON.stringify({ orderId, amount, paymentKey: `mock-${i}-${orderId}` }),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(['INVALID_CONCURRENT_ACCESS', 'ALREADY_PAID_ORDER']).toContain(
        ((await r.json()) as { code: string }).code,
      );
    }
    await waitStatus(orderId, 'ORDER_PLACED');
    expect(await stockOf(productId)).toBe(4);
  });

  it('stock short at payment: 409 STOCK_SHORTAGE, payment blocked, order CHECK_FAIL, reservation back', async () => {
    const productId = await newProduct(2);
    const { userId, orderId } = await order(productId, randomUserId(), 2);
    // the seller lowers the stock after the reservation
    const { brandId: _, ...update } = productForm(brandId, { quantity: 1, price: 10000, discount: 0 });
    expect(
      (await fetch(gateway(`/products/${productId}`), { method: 'PUT', headers: seller.auth, body: multipart(update) }))
        .status,
    ).toBe(200);
    await expectError(await pay(userId, orderId), 409, 'STOCK_SHORTAGE');
    await waitStatus(orderId, 'CHECK_FAIL');
    expect(await stockOf(productId)).toBe(1);
    // the seller's reduction reached the counter as a difference: released, it holds the new stock
    await eventually(async () => ((await reservedLeft(productId)) === 1 ? true : undefined));
    await expectError(await pay(userId, orderId), 400, 'BLOCKED_ORDER');
  });

  it('a cancelled paid order is refunded and its stock and reservation come back', async () => {
    const productId = await newProduct(4);
    const { userId, orderId } = await order(productId);
    expect((await pay(userId, orderId)).status).toBe(200);
    await waitStatus(orderId, 'ORDER_PLACED');
    const id = (await (await fetch(`${url('order')}/orders/me`, { headers: as(userId) })).json()) as {
      content: { id: number }[];
    };
    expect(
      (await fetch(`${url('order')}/orders/${id.content[0].id}/cancel`, { method: 'POST', headers: as(userId) }))
        .status,
    ).toBe(200);
    await waitStatus(orderId, 'CANCEL');
    await eventually(async () => ((await stockOf(productId)) === 4 ? true : undefined));
    await eventually(async () => ((await reservedLeft(productId)) === 4 ? true : undefined));
    await expectError(await pay(userId, orderId, 'mock-after-cancel'), 400, 'CANCELLED_ORDER');
  });

  it('a payment stuck in TRYING (its confirm died after taking the stock) is settled when the order is cancelled', async () => {
    const productId = await newProduct(5);
    const { userId, orderId } = await order(productId, randomUserId(), 2);
    expect((await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) })).status).toBe(200);
    // what a confirm that died half-way leaves: stock taken, payment TRYING for an hour
    const product = createGrpcClient('ProductService', wiring.PRODUCT_GRPC_URL);
    expect(
      await product.CheckAndUpdateProductStock({ orderId, productQuantity: [{ productId, quantity: 2 }] }),
    ).toEqual({ isSuccess: true });
    product.close();
    await withMysql(TEST_DB.payment, (q) =>
      q(
        "UPDATE payments SET status = 'TRYING', payment_key = ?, updated_at = NOW() - INTERVAL 1 HOUR WHERE order_id = ?",
        [`mock-stuck-${orderId}`, orderId],
      ),
    );
    expect(await stockOf(productId)).toBe(3);

    expect(runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' }).status).toBe(0);
    await waitStatus(orderId, 'CANCEL');
    await eventually(async () => ((await stockOf(productId)) === 5 ? true : undefined));
    const [payment] = await withMysql(TEST_DB.payment, (q) =>
      q('SELECT status FROM payments WHERE order_id = ?', [orderId]),
    );
    expect(payment.status).toBe('CANCEL');
    await eventually(async () => ((await reservedLeft(productId)) === 5 ? true : undefined));
  });

  it('validation and unknown orders: 400 with a clear code', async () => {
    const userId = randomUserId();
    const post = (body: unknown) =>
      fetch(`${url('payment')}/payments`, { method: 'POST', headers: as(userId), body: JSON.stringify(body) });
    await expectError(await post({ orderId: 'x', amount: 'ten', paymentKey: 'k' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(await post({ orderId: '', amount: '1', paymentKey: 'k' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(await post({ orderId: 'x', amount: '1' }), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(await post({ orderId: 'no-such-order', amount: '1', paymentKey: 'k' }), 400, 'NOT_FOUND_PAYMENT');
    await expectError(
      await fetch(`${url('payment')}/checkout/no-such-order`, { headers: as(userId) }),
      400,
      'GRPC_COMMUNICATION_ERROR',
    );
    await expectError(await fetch(`${url('payment')}/payments`, { method: 'POST' }), 400, 'BAD_REQUEST');
  });

  it('the pages render, escaping what comes from the query', async () => {
    const fail = await fetch(
      `${url('payment')}/checkout/fail?code=X&message=${encodeURIComponent('<script>alert(1)</script>')}`,
      { headers: as(1) },
    );
    expect(fail.status).toBe(200);
    const html = await fail.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    const success = await fetch(`${url('payment')}/checkout/success?paymentKey=k&orderId=o&amount=100`, {
      headers: as(1),
    });
    expect(await success.text()).toContain("fetch('/payments'");
  });
});
