import { Topics } from '@runrun/contracts';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import { Partitioners } from 'kafkajs';
import { TEST_DB, url } from './env';
import { as, orderStatuses, pay, placeOrder, randomUserId } from './orders';
import { eventually, withMysql } from './stores';

/**
 * A charge that must go back is never lost: a PG that does not answer the cancel leaves the refund
 * owed and retried until it confirms; a PG that refuses leaves it for an operator, and the events
 * behind it go on. The mock PG is steered by the payment key (`cancelfail<n>`, `refunded`).
 */
describe('refunds', () => {
  let seller: Awaited<ReturnType<typeof newShopper>>;
  let brandId: number;
  const newProduct = () =>
    createProduct(seller.auth, productForm(brandId, { quantity: 50, price: 10000, discount: 0 }));
  const order = async (productId: string) => {
    const userId = randomUserId();
    const r = await placeOrder(userId, [[productId, 1]]);
    expect(r.status).toBe(200);
    return { userId, orderId: r.body.orderId! };
  };
  const waitStatus = (orderId: string, status: string) =>
    eventually(async () => ((await orderStatuses([orderId])).get(orderId) === status ? true : undefined));
  const refundOf = async (orderId: string) =>
    (
      await withMysql(TEST_DB.payment, (q) =>
        q(
          'SELECT payment_key AS paymentKey, amount, reason, status, attempts, pg_answer AS pgAnswer FROM refunds WHERE order_id = ?',
          [orderId],
        ),
      )
    )[0];
  const paymentOf = async (orderId: string) =>
    (
      await withMysql(TEST_DB.payment, (q) =>
        q('SELECT status, amount, payment_key AS paymentKey FROM payments WHERE order_id = ?', [orderId]),
      )
    )[0];
  const metric = async (name: string) => {
    const text = await (await fetch(`${url('payment')}/metrics`)).text();
    const line = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    return line ? Number(line[1]) : undefined;
  };
  const cancelOrder = async (userId: number, orderId: string) => {
    const [{ id }] = await withMysql(TEST_DB.order, (q) => q('SELECT id FROM orders WHERE order_id = ?', [orderId]));
    const res = await fetch(`${url('order')}/orders/${id}/cancel`, { method: 'POST', headers: as(userId) });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    seller = await newShopper('SELLER');
    brandId = await createBrand(seller.auth);
  });

  it('PG timeout and a failing safety cancel: the refund is owed, then retried until the PG confirms it', async () => {
    const productId = await newProduct();
    const { userId, orderId } = await order(productId);
    // the confirm gets no answer; the first 3 cancels fail as well, the 4th is accepted
    const paymentKey = `mock-timeout-cancelfail3-${orderId}`;
    const res = await pay(userId, orderId, paymentKey);
    expect(res.status).toBe(412);

    // the payment is cancelled, and what it may have charged is recorded as owed
    const payment = await paymentOf(orderId);
    expect(payment.status).toBe('CANCEL');
    const owed = await refundOf(orderId);
    expect(owed).toMatchObject({ paymentKey, amount: payment.amount, reason: 'CONFIRM_TIMEOUT', status: 'OWED' });
    expect(owed.attempts).toBeGreaterThanOrEqual(1);
    expect(owed.pgAnswer).toContain('mock PG cancel failed');
    expect(await metric('runrun_refunds_owed')).toBeGreaterThanOrEqual(1);

    // retried with backoff (1 s, 2 s, 4 s in tests) until the PG confirms the cancel
    const done = await eventually(async () => {
      const refund = await refundOf(orderId);
      return refund.status === 'DONE' ? refund : undefined;
    }, 30_000);
    expect(done.attempts).toBe(4);
    expect((await paymentOf(orderId)).status).toBe('CANCEL');
    // nothing owed any more: the gauge follows the table
    const [{ n }] = await withMysql(TEST_DB.payment, (q) =>
      q("SELECT COUNT(*) AS n FROM refunds WHERE status = 'OWED'"),
    );
    expect(await metric('runrun_refunds_owed')).toBe(Number(n));
    await waitStatus(orderId, 'PAYMENT_FAIL');
  });

  it('a refund the PG refuses (already refunded) is recorded for an operator; the events behind it go on', async () => {
    const productId = await newProduct();
    const paid = async (keyPart: string) => {
      const o = await order(productId);
      expect((await pay(o.userId, o.orderId, `mock-${keyPart}-${o.orderId}`)).status).toBe(200);
      await waitStatus(o.orderId, 'ORDER_PLACED');
      return o;
    };
    // order-cancelled is keyed by order id: find an order whose event shares the refused one's partition
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionOf = (key: string) =>
      partitioner({
        topic: Topics.ORDER_CANCELLED,
        partitionMetadata: [0, 1, 2].map((partitionId) => ({
          partitionId,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [0],
          isr: [0],
        })),
        message: { key, value: null },
      });
    const refused = await paid('refunded');
    let next = await paid('ok');
    for (let i = 0; partitionOf(next.orderId) !== partitionOf(refused.orderId); i++) {
      if (i > 20) throw new Error('no order on the same partition');
      next = await paid('ok');
    }

    await cancelOrder(refused.userId, refused.orderId);
    await cancelOrder(next.userId, next.orderId);

    // the one behind it is refunded
    await eventually(async () => ((await refundOf(next.orderId))?.status === 'DONE' ? true : undefined), 30_000);
    expect((await paymentOf(next.orderId)).status).toBe('CANCEL');
    // the refused one waits for an operator, with the PG's answer
    const refund = await refundOf(refused.orderId);
    expect(refund).toMatchObject({ reason: 'ORDER_CANCELLED', status: 'NEEDS_OPERATOR', attempts: 1 });
    expect(refund.pgAnswer).toContain('ALREADY_CANCELED_PAYMENT');
    expect((await paymentOf(refused.orderId)).status).toBe('CANCEL');
    expect(await metric('runrun_refunds_needing_operator')).toBeGreaterThanOrEqual(1);
  });
});
