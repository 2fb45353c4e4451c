import { ROOT } from '@runrun/launcher';
import { orderForm } from '@runrun/testkit';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { TEST_DB, TEST_REDIS_URL, url } from './env';
import { withMysql } from './stores';

export { orderForm };

/** Shoppers calling the order and payment services directly, with the identity the gateway would set. */
export const as = (userId: number) => ({ 'x-user-id': String(userId), 'content-type': 'application/json' });

export async function placeOrder(
  userId: number,
  products: [string, number][],
  base = url('order'),
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { orderId?: string; code?: string } }> {
  const res = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { ...as(userId), ...headers },
    body: JSON.stringify(orderForm(products)),
  });
  return { status: res.status, body: (await res.json()) as { orderId?: string; code?: string } };
}

/** Opens the checkout page (which creates the payment) and confirms with the mock PG. */
export async function pay(
  userId: number,
  orderId: string,
  paymentKey = `mock-${orderId}`,
  amount?: number,
): Promise<Response> {
  const page = await fetch(`${url('payment')}/checkout/${orderId}`, { headers: as(userId) });
  if (page.status !== 200) return page;
  const html = await page.text();
  const shown = Number(/<strong id="amount">(\d+)<\/strong>/.exec(html)![1]);
  return fetch(`${url('payment')}/payments`, {
    method: 'POST',
    headers: as(userId),
    body: JSON.stringify({ orderId, amount: String(amount ?? shown), paymentKey }),
  });
}

export const orderStatuses = (orderIds: string[]) =>
  withMysql(TEST_DB.order, async (q) => {
    if (!orderIds.length) return new Map<string, string>();
    const rows = await q(
      `SELECT order_id AS orderId, status FROM orders WHERE order_id IN (${orderIds.map(() => '?').join(',')})`,
      orderIds,
    );
    return new Map(rows.map((r) => [r.orderId as string, r.status as string]));
  });

export async function reservedLeft(productId: string): Promise<number | undefined> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const v = await redis.get(`RESERVED_PRODUCT_STOCK{${productId}}`);
    return v === null ? undefined : Number(v);
  } finally {
    redis.disconnect();
  }
}

export async function stockOf(productId: string): Promise<number> {
  const res = await fetch(`${url('product')}/products/${productId}/stock`);
  return ((await res.json()) as { quantity: number }).quantity;
}

/** Runs a cron job once, as a Kubernetes CronJob would, against the test databases. */
export function runJob(job: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'cron-jobs', 'dist', 'main.js'), job], {
    env: { ...process.env, DB_NAME: TEST_DB.order, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export const randomUserId = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
