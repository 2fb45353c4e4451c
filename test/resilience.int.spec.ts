import { ROOT } from '@runrun/launcher';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { orderStatuses, pay, placeOrder, randomUserId, reservedLeft, runJob, stockOf } from './orders';
import { eventually } from './stores';

/**
 * The flash sale while local servers fail: one of the three Redlock servers down, then the Kafka
 * broker restarted in the middle of the payments. Nothing is oversold, no accepted order is lost,
 * every order ends in a final state, and stock and reservations add up.
 */
const infra = (command: string, root = ROOT) =>
  execFileSync('bash', [join(root, 'infra', 'local.sh'), command], { encoding: 'utf8' });
const stopRedis = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
/** The running broker, and the checkout whose infra/local.sh started it (it restarts it the same way). */
function kafkaBroker(): { pid: number; root: string } {
  const line = execFileSync('pgrep', ['-af', 'kafka.Kafka'], { encoding: 'utf8' }).trim().split('\n')[0];
  const config = /(\S+)\/\.local\/kafka\/server\.properties/.exec(line);
  if (!config) throw new Error(`not a broker of infra/local.sh: ${line}`);
  return { pid: Number(line.split(' ')[0]), root: config[1] };
}
const FINAL = new Set(['ORDER_PLACED', 'CANCEL', 'CHECK_FAIL', 'PAYMENT_FAIL']);

async function sale(stock: number, shoppers: number, duringPayments?: () => Promise<void>) {
  const seller = await newShopper('SELLER');
  const brandId = await createBrand(seller.auth);
  const productId = await createProduct(
    seller.auth,
    productForm(brandId, { quantity: stock, price: 10000, discount: 0 }),
  );
  const results = await Promise.all(
    Array.from({ length: shoppers }, async () => {
      const userId = randomUserId();
      return { userId, ...(await placeOrder(userId, [[productId, 1]])) };
    }),
  );
  const accepted = results.filter((r) => r.status === 200);
  expect(accepted).toHaveLength(stock);

  const payers = accepted.slice(0, Math.floor(stock * 0.8));
  const paying = Promise.all(payers.map((r) => pay(r.userId, r.body.orderId!).then((res) => res.status)));
  await duringPayments?.();
  const statuses = await paying;
  const paid = payers.filter((_, i) => statuses[i] === 200).map((r) => r.body.orderId!);
  // the paid orders are placed once the events get through (the broker may still be coming back)
  await eventually(async () => {
    const s = await orderStatuses(paid);
    return [...s.values()].every((v) => v === 'ORDER_PLACED') ? true : undefined;
  }, 90_000);
  // later, the unpaid ones time out
  expect(runJob('order-cancel', { UNPAID_ORDER_TIMEOUT_MINUTES: '0' }).status).toBe(0);

  // every accepted order reaches a final state; the paid ones are placed
  const orderIds = accepted.map((r) => r.body.orderId!);
  const final = await eventually(async () => {
    const s = await orderStatuses(orderIds);
    return [...s.values()].every((v) => FINAL.has(v)) && s.size === orderIds.length ? s : undefined;
  }, 90_000);
  const placed = [...final.values()].filter((v) => v === 'ORDER_PLACED').length;
  expect(placed).toBe(statuses.filter((s) => s === 200).length);
  // the invariant: initial = remaining + sold, reservations follow, nothing oversold
  await eventually(async () => ((await stockOf(productId)) === stock - placed ? true : undefined), 60_000);
  await eventually(async () => ((await reservedLeft(productId)) === stock - placed ? true : undefined), 60_000);
  return { placed, paid: statuses.filter((s) => s === 200).length };
}

describe('flash sale while servers fail', () => {
  afterAll(() => {
    infra('start'); // brings back whatever a test stopped
  });

  it('with one of the three Redlock servers stopped', async () => {
    stopRedis(6380);
    const { placed } = await sale(30, 300);
    expect(placed).toBe(24);
    infra('start');
  });

  it('with the Kafka broker restarted in the middle of the payments', async () => {
    const { placed } = await sale(30, 300, async () => {
      await new Promise((r) => setTimeout(r, 300));
      const broker = kafkaBroker();
      process.kill(broker.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      infra('start', broker.root);
    });
    expect(placed).toBe(24);
  });
});
