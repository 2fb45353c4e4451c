import { ROOT, RunningService, startService, startSystem, stopAll, wiringEnv } from '@runrun/launcher';
import {
  brandForm,
  createBrand,
  createProduct,
  login,
  orderForm,
  productForm,
  signUp,
  type Session,
} from '@runrun/testkit';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Pool } from 'undici';

/**
 * The flash-sale benchmark, from one run on this machine:
 *   1. starts its own system (ports +40000, its own databases) with `--order-replicas` order
 *      processes behind the gateway, signs up and logs in `--shoppers` shoppers;
 *   2. ceiling: an authenticated no-op (GET /users/whoami) through the gateway;
 *   3. accepting phase: concurrent orders for one hot product (stock `--stock`) until it sells out;
 *   4. sold-out phase: the same load on the sold-out product for `--duration` seconds;
 *   5. pays for `--pay-percent` % of the accepted orders, abandons the rest, runs the cancel job;
 *   6. audits stock, reservations and orders, and prints each service's peak resident memory.
 *
 *   npm run bench:flash-sale -- [--shoppers 300] [--stock 1000] [--concurrency 200] [--duration 10] [--order-replicas 2]
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const options = {
  shoppers: arg('shoppers', 300),
  stock: arg('stock', 1000),
  concurrency: arg('concurrency', 200),
  duration: arg('duration', 10),
  orderReplicas: arg('order-replicas', 2),
  payPercent: arg('pay-percent', 80),
};
const OFFSET = 40_000;
const LOG_DIR = join(ROOT, '.local', 'logs', 'bench');
const ENV = {
  REDIS_URL: 'redis://127.0.0.1:6379/3',
  MONGO_URL: 'mongodb://127.0.0.1:27017/runrun_bench_product',
  KAFKA_GROUP_PREFIX: 'bench-',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_SECOND: '0',
  // a few hundred shoppers place thousands of orders: the per-shopper cap on unpaid orders is off
  MAX_UNPAID_ORDERS: '0',
  // hundreds of shoppers sign up from this one machine
  EMAIL_AUTH_CLIENT_PER_HOUR: '0',
  FILES_DIR: join(ROOT, '.local', 'bench-files'),
};
const DB = {
  user: 'runrun_bench_user',
  brand: 'runrun_bench_brand',
  order: 'runrun_bench_order',
  payment: 'runrun_bench_payment',
};

interface Sample {
  /** the request's number: request i is sent as shopper i mod shoppers */
  i: number;
  status: number;
  code?: string;
  orderId?: string;
  ms: number;
  end: number;
}

interface Figures {
  phase: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

function figures(phase: string, samples: Sample[], seconds: number): Figures {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const counts = new Map<string, number>();
  for (const s of samples)
    counts.set(
      `${s.status}${s.code ? ` ${s.code}` : ''}`,
      (counts.get(`${s.status}${s.code ? ` ${s.code}` : ''}`) ?? 0) + 1,
    );
  return {
    phase,
    requests: samples.length,
    seconds,
    rps: samples.length / seconds,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    p99: percentile(ms, 99),
    statuses: [...counts.entries()].map(([k, v]) => `${k}: ${v}`).join(', '),
  };
}

/**
 * Closed-loop load: `concurrency` workers, each sending the next request as soon as the previous
 * answered, over one keep-alive pool, until `until()` says stop.
 */
async function load(
  pool: Pool,
  concurrency: number,
  request: (i: number) => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
  until: (samples: Sample[]) => boolean,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until(samples)) {
        const n = i++;
        const r = request(n);
        const start = performance.now();
        const res = await pool.request({ method: r.method, path: r.path, headers: r.headers, body: r.body });
        const answer = (await res.body.json()) as { code?: string; orderId?: string };
        const end = performance.now();
        samples.push({
          i: n,
          status: res.statusCode,
          code: answer.code,
          orderId: answer.orderId,
          ms: end - start,
          end,
        });
      }
    }),
  );
  return samples;
}

function peakMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  console.log(`flash-sale benchmark: ${JSON.stringify(options)}`);
  const wiring = wiringEnv(OFFSET);
  const services: RunningService[] = await startSystem({
    portOffset: OFFSET,
    logDir: LOG_DIR,
    only: ['brand', 'product', 'user', 'order', 'payment'],
    env: ENV,
    serviceEnv: {
      ...Object.fromEntries(Object.entries(DB).map(([s, db]) => [s, { DB_NAME: db }])),
      // verification links lead to this run's gateway
      user: { DB_NAME: DB.user, PUBLIC_BASE_URL: `http://127.0.0.1:${8080 + OFFSET}` },
    },
  });
  try {
    for (let r = 2; r <= options.orderReplicas; r++) {
      services.push(
        await startService('order', {
          portOffset: OFFSET + 100 * (r - 1),
          instance: `order-${r}`,
          logDir: LOG_DIR,
          env: { ...ENV, ...wiring, DB_NAME: DB.order },
        }),
      );
    }
    const orderUrls = services.filter((s) => s.name === 'order').map((s) => s.url);
    const gateway = await startService('gateway', {
      portOffset: OFFSET,
      logDir: LOG_DIR,
      env: { ...ENV, ...wiring, ORDER_SERVICE_URL: orderUrls.join(',') },
    });
    services.push(gateway);
    process.env.GATEWAY_URL = gateway.url;

    console.log(`signing up and logging in ${options.shoppers} shoppers (and a seller) ...`);
    const seller = await login(await signUp('SELLER'));
    const brandId = await createBrand(seller.auth, brandForm({ freeDeliveryInfimum: 0 }));
    const productId = await createProduct(
      seller.auth,
      productForm(brandId, { quantity: options.stock, price: 10000, discount: 0 }),
    );
    // a second product warms the order path (JIT, gRPC channels, caches) before the measured sale
    const warmUpProduct = await createProduct(
      seller.auth,
      productForm(brandId, { quantity: 1000, price: 10000, discount: 0 }),
    );
    const shoppers: Session[] = [];
    for (let i = 0; i < options.shoppers; i += 10) {
      shoppers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, options.shoppers - i) }, async () => login(await signUp())),
        )),
      );
    }

    const pool = new Pool(gateway.url, { connections: options.concurrency, pipelining: 1 });
    const headers = (i: number) => ({ ...shoppers[i % shoppers.length].auth, 'content-type': 'application/json' });

    // ceiling
    const ceilingEnd = performance.now() + options.duration * 1000;
    const ceiling = await load(
      pool,
      options.concurrency,
      (i) => ({ method: 'GET', path: '/users/whoami', headers: headers(i) }),
      () => performance.now() > ceilingEnd,
    );

    const orderBody = (id: string) => JSON.stringify(orderForm([[id, 1]]));

    // warm-up: a first sale of another product, at the same concurrency, until it sells out
    const warmUpBody = orderBody(warmUpProduct);
    await load(
      pool,
      options.concurrency,
      (i) => ({ method: 'POST', path: '/orders', headers: headers(i), body: warmUpBody }),
      (samples) => samples.length > 0 && samples[samples.length - 1].status !== 200,
    );

    // accepting phase, then sold-out phase
    const body = orderBody(productId);
    const orderRequest = (i: number) => ({ method: 'POST' as const, path: '/orders', headers: headers(i), body });
    const started = performance.now();
    // sold out: a refusal once the whole stock was accepted
    let seen = 0;
    let acceptedCount = 0;
    let sellOutSeen = false;
    const acceptingSamples = await load(pool, options.concurrency, orderRequest, (samples) => {
      for (; seen < samples.length; seen++) {
        if (samples[seen].status === 200) acceptedCount++;
        else if (acceptedCount >= options.stock) sellOutSeen = true;
      }
      return sellOutSeen;
    });
    const acceptingSeconds = (acceptingSamples[acceptingSamples.length - 1].end - started) / 1000;
    const accepted = acceptingSamples
      .filter((x) => x.status === 200)
      .map((x) => ({ shopper: x.i % shoppers.length, orderId: x.orderId! }));
    const soldOutEnd = performance.now() + options.duration * 1000;
    const soldOut = await load(pool, options.concurrency, orderRequest, () => performance.now() > soldOutEnd);

    // pay for most, abandon the rest
    const toPay = accepted.slice(0, Math.round((accepted.length * options.payPercent) / 100));
    let paid = 0;
    const payFailures = new Map<string, number>();
    for (let i = 0; i < toPay.length; i += 20) {
      await Promise.all(
        toPay.slice(i, i + 20).map(async ({ shopper, orderId }) => {
          const auth = { ...shoppers[shopper].auth, 'content-type': 'application/json' };
          const page = await pool.request({ method: 'GET', path: `/checkout/${orderId}`, headers: auth });
          const amount = /<strong id="amount">(\d+)<\/strong>/.exec(await page.body.text())?.[1];
          const res = await pool.request({
            method: 'POST',
            path: '/payments',
            headers: auth,
            body: JSON.stringify({ orderId, amount, paymentKey: `mock-${orderId}` }),
          });
          const text = await res.body.text();
          if (res.statusCode === 200) paid++;
          else {
            const code = (JSON.parse(text) as { code: string }).code;
            payFailures.set(code, (payFailures.get(code) ?? 0) + 1);
          }
        }),
      );
    }
    const job = spawnSync(process.execPath, [join(ROOT, 'cron-jobs', 'dist', 'main.js'), 'order-cancel'], {
      env: { ...process.env, DB_NAME: DB.order, UNPAID_ORDER_TIMEOUT_MINUTES: '0', LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    if (job.status !== 0) throw new Error(`cancel job failed: ${job.stderr}`);

    // audit, once the events have been applied
    const audit = await waitForAudit(productId, accepted.length, paid, options.stock);
    await pool.close();

    const ceilingFigures = figures('ceiling: no-op via gateway', ceiling, options.duration);
    const rows = [
      ceilingFigures,
      figures('accepting (until sold out)', acceptingSamples, acceptingSeconds),
      figures('sold out', soldOut, options.duration),
    ];
    console.log('\nphase                         requests  seconds  req/s   p50 ms  p95 ms  p99 ms  answers');
    for (const r of rows) {
      console.log(
        `${r.phase.padEnd(30)}${String(r.requests).padStart(8)}  ${r.seconds.toFixed(2).padStart(7)}  ${r.rps.toFixed(0).padStart(6)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${r.statuses}`,
      );
    }
    console.log(`\naccepting / ceiling: ${((rows[1].rps / rows[0].rps) * 100).toFixed(1)} %   (target ≥ 35 %)`);
    console.log(`sold out  / ceiling: ${((rows[2].rps / rows[0].rps) * 100).toFixed(1)} %   (target ≥ 80 %)`);
    console.log(`\naudit: ${JSON.stringify(audit)}`);
    if (payFailures.size) console.log(`payments refused: ${JSON.stringify(Object.fromEntries(payFailures))}`);
    console.log('\npeak resident memory (VmHWM):');
    for (const s of services) console.log(`  ${s.name.padEnd(8)} ${peakMemoryMb(s.process.pid!).toFixed(0)} MB`);
  } finally {
    await stopAll(services);
  }
}

/** Waits until payments and cancellations have been applied, then reads stock and reservations. */
async function waitForAudit(productId: string, accepted: number, paid: number, initial: number) {
  const redis = new Redis(ENV.REDIS_URL);
  try {
    for (let i = 0; i < 120; i++) {
      const res = await fetch(`http://127.0.0.1:${8083 + OFFSET}/products/${productId}/stock`);
      const remaining = ((await res.json()) as { quantity: number }).quantity;
      const reservable = Number(await redis.get(`RESERVED_PRODUCT_STOCK${productId}`));
      if (remaining === initial - paid && reservable === remaining) {
        return {
          initial,
          accepted,
          paid,
          cancelled: accepted - paid,
          remaining,
          reservable,
          oversold: Math.max(0, accepted - initial),
          invariant: remaining + paid === initial ? 'initial = remaining + paid holds' : 'BROKEN',
        };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('stock and reservations never settled to initial − paid');
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
