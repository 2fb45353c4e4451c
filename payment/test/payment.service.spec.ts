import type { INestApplicationContext } from '@nestjs/common';
import { grpcClientToken, KafkaBus, OutboxRelay } from '@runrun/common';
import { Topics } from '@runrun/contracts';
import {
  dropMysqlDatabase,
  FakeKafka,
  freshMysqlDatabase,
  mysqlRows,
  quietLogger,
  startServiceModule,
  withProviders,
} from '@runrun/testkit';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config';
import { PaymentService } from '../src/payment/payment.service';

/** The payment service alone: a MySQL database of its own, the mock PG, order and product faked. */
const DATABASE = 'runrun_svc_payment';
const SHOPPER = 21;

/** Orders as the order service answers them: every order awaits payment, 2 × product p1. */
const order = (orderId: string) => ({
  orderId,
  orderName: 'sneaker',
  paymentAmount: 60_000,
  userId: SHOPPER,
  productQuantity: [{ productId: 'p1', quantity: 2 }],
  status: 'PAYMENT_PENDING',
});
const fakeOrders = { GetOrder: async ({ orderId }: { orderId: string }) => order(orderId) };
/** The product service: the stock decreases it was asked for; orders named in `soldOut` find no stock. */
const stockCalls: { orderId: string; productQuantity: unknown }[] = [];
const soldOut = new Set<string>();
const fakeProducts = {
  CheckAndUpdateProductStock: async (request: { orderId: string; productQuantity: unknown }) => {
    stockCalls.push(request);
    return { isSuccess: !soldOut.has(request.orderId) };
  },
};

let app: INestApplicationContext;
let payments: PaymentService;
const kafka = new FakeKafka();
const rows = (sql: string, params: unknown[] = []) => mysqlRows(DATABASE, sql, params);
const outboxOf = async (orderId: string) =>
  (await rows('SELECT topic, payload FROM outbox_events WHERE event_key = ? ORDER BY id', [orderId])).map(
    ({ topic, payload }) => [topic, payload],
  );
const statusOf = async (orderId: string) =>
  (await rows('SELECT status FROM payments WHERE order_id = ?', [orderId]))[0]?.status;

beforeAll(async () => {
  await freshMysqlDatabase(DATABASE);
  const defaults = loadConfig();
  const config = { ...defaults, db: { ...defaults.db, database: DATABASE } };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('payment')), [
      [grpcClientToken('OrderService'), fakeOrders],
      [grpcClientToken('ProductService'), fakeProducts],
      [KafkaBus, kafka],
      [OutboxRelay, undefined], // its rows stay for the spec to read
    ]),
  );
  payments = app.get(PaymentService);
});

afterAll(async () => {
  await app?.close();
  await dropMysqlDatabase(DATABASE);
});

describe('the payment service on its own database', () => {
  it('confirms a payment: stock taken, the payment complete, payment-finalized in the outbox', async () => {
    expect(await payments.checkout(SHOPPER, 'O-paid')).toMatchObject({ amount: 60_000, isBlocked: false });
    expect(await statusOf('O-paid')).toBe('PENDING');

    await payments.confirm(SHOPPER, 'O-paid', 60_000, 'key-paid');

    expect(stockCalls).toEqual([{ orderId: 'O-paid', productQuantity: [{ productId: 'p1', quantity: 2 }] }]);
    const [row] = await rows('SELECT * FROM payments WHERE order_id = ?', ['O-paid']);
    expect(row).toMatchObject({ status: 'COMPLETE', payment_key: 'key-paid', amount: 60_000, method: '간편결제' });
    expect(row.approved_at).not.toBeNull();
    expect(await outboxOf('O-paid')).toEqual([[Topics.PAYMENT_FINALIZED, { orderId: 'O-paid', isSuccess: true }]]);

    // paid once: a second confirm is refused and charges nothing
    await expect(payments.confirm(SHOPPER, 'O-paid', 60_000, 'key-again')).rejects.toMatchObject({
      code: 'ALREADY_PAID_ORDER',
    });
    expect(stockCalls).toHaveLength(1);
  });

  it('refuses a confirm of another amount or by another shopper before touching stock', async () => {
    await payments.checkout(SHOPPER, 'O-checked');
    await expect(payments.confirm(SHOPPER, 'O-checked', 1, 'key-1')).rejects.toMatchObject({
      code: 'PAYMENT_AMOUNT_MISMATCH',
    });
    await expect(payments.confirm(SHOPPER + 1, 'O-checked', 60_000, 'key-1')).rejects.toMatchObject({
      code: 'NOT_USERS_PAYMENT',
    });
    expect(await statusOf('O-checked')).toBe('PENDING');
    expect(stockCalls.filter((c) => c.orderId === 'O-checked')).toEqual([]);
  });

  it('cancels a declined payment: its stock given back (order-failed) and order told (payment-finalized)', async () => {
    await payments.checkout(SHOPPER, 'O-declined');
    await expect(payments.confirm(SHOPPER, 'O-declined', 60_000, 'key-decline')).rejects.toMatchObject({
      code: 'PAYMENT_FAILED',
    });
    expect(await statusOf('O-declined')).toBe('CANCEL');
    expect(await outboxOf('O-declined')).toEqual([
      [Topics.PAYMENT_FINALIZED, { orderId: 'O-declined', isSuccess: false }],
      [Topics.ORDER_FAILED, { orderId: 'O-declined', productQuantity: { p1: 2 } }],
    ]);
  });

  it('blocks a payment whose stock ran out, charging nothing', async () => {
    soldOut.add('O-sold-out');
    await payments.checkout(SHOPPER, 'O-sold-out');
    await expect(payments.confirm(SHOPPER, 'O-sold-out', 60_000, 'key-sold-out')).rejects.toMatchObject({
      code: 'STOCK_SHORTAGE',
    });
    expect(await statusOf('O-sold-out')).toBe('BLOCK');
    expect(await outboxOf('O-sold-out')).toEqual([]); // product tells order itself
    expect(await payments.checkout(SHOPPER, 'O-sold-out')).toMatchObject({ isBlocked: true });
  });

  it('refunds a paid order once when order-cancelled comes, however often', async () => {
    await kafka.deliver(Topics.ORDER_CANCELLED, { orderId: 'O-paid', productQuantity: { p1: 2 } });
    await kafka.deliver(Topics.ORDER_CANCELLED, { orderId: 'O-paid', productQuantity: { p1: 2 } });
    expect(await statusOf('O-paid')).toBe('CANCEL');
    const refunds = await rows('SELECT payment_key, amount, reason, status FROM refunds WHERE order_id = ?', [
      'O-paid',
    ]);
    expect(refunds).toEqual([{ payment_key: 'key-paid', amount: 60_000, reason: 'ORDER_CANCELLED', status: 'DONE' }]);

    // an unpaid order's payment can no longer be paid
    await kafka.deliver(Topics.ORDER_CANCELLED, { orderId: 'O-checked', productQuantity: { p1: 2 } });
    expect(await statusOf('O-checked')).toBe('CANCEL');
  });
});
