import { ROOT, RunningService, startService, startSystem, stopAll, wiringEnv } from '@runrun/launcher';
import {
  brandForm,
  createBrand,
  createProduct,
  dropMysqlDatabase,
  login,
  orderForm,
  productForm,
  signUp,
  type Session,
} from '@runrun/testkit';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { Pool } from 'undici';
import { monotonicUs, topFrames, type Window } from './cpu-profile';
import { settle, startCpuMeter } from './cpu-usage';
import { reservationCeiling } from './redis-ceiling';

/**
 * The flash-sale benchmark, from one run on this machine:
 *   1. starts its own system (ports +16000, its own databases, emptied first, its consumer groups at
 *      the end of every topic) with `--order-replicas` order processes behind `--gateway-replicas`
 *      gateways, signs up and logs in `--shoppers` shoppers;
 *      measures the reservation script's own ceiling with redis-benchmark;
 *   2. warms the order path up with a first sale;
 *   3. then `--rounds` rounds, each on the same machine state in turn, once the system is idle again:
 *      ceiling (an authenticated no-op, GET /users/whoami, through the gateways, `--duration` s),
 *      accepting (concurrent orders for new hot products, `--stock` units in all, at most 1,000 per
 *      product, until they sell out),
 *      sold out (the same load on the sold-out products, `--duration` s);
 *   4. pays for `--pay-percent` % of the last round's accepted orders, has the cancel job end
 *      every other order, and audits stock and reservations of every product;
 *   5. prints each round, then the median and spread of each figure, and each service's peak
 *      resident memory. With `--profile`, the gateways and order replicas run with --cpu-prof and
 *      their top frames (self time) are printed; the profiles stay in .local/logs/bench/profiles.
 *
 *   npm run bench:flash-sale -- [--shoppers 300] [--stock 16000] [--concurrency 200] [--duration 10]
 *                               [--order-replicas 2] [--gateway-replicas 1] [--rounds 3] [--pay-percent 20] [--profile]
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const options = {
  shoppers: arg('shoppers', 300),
  stock: arg('stock', 16000),
  concurrency: arg('concurrency', 200),
  duration: arg('duration', 10),
  orderReplicas: arg('order-replicas', 2),
  gatewayReplicas: arg('gateway-replicas', 1),
  rounds: arg('rounds', 3),
  // each payment takes stock in FerretDB, whose lookups scan: a few thousand take minutes here
  payPercent: arg('pay-percent', 20),
  profile: process.argv.includes('--profile'),
};
const OFFSET = 16_000;
/** The most units one product may hold (the product form's limit). */
const MAX_PRODUCT_STOCK = 1000;
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
 * answered, over keep-alive pools (one per gateway, in turn), until `until()` says stop.
 */
async function load(
  pools: Pool[],
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
        const res = await poolFor(pools, n).request({
          method: r.method,
          path: r.path,
          headers: r.headers,
          body: r.body,
        });
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The processes whose CPU each phase is charged: this run's services, and the local servers they
 * use, found by the port they listen on (whichever checkout started them).
 */
function processGroups(services: RunningService[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const s of services) groups.set(s.name, [...(groups.get(s.name) ?? []), s.process.pid!]);
  const servers: [string, number][] = [
    ['mariadb', 3306],
    ['redis', 6379],
    ['kafka', 9092],
    ['ferretdb', 27017],
  ];
  for (const [name, port] of servers) {
    const listening = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(listening)?.[1];
    if (pid) groups.set(name, [Number(pid)]);
    else console.log(`(no process found listening on ${port}: ${name} is left out of the CPU figures)`);
  }
  return groups;
}

function peakMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * Every run starts from empty stores: a previous run's unpaid orders would be cancelled during
 * this one (and their events applied), and FerretDB's lookups slow down as collections grow.
 */
async function emptyStores(): Promise<void> {
  for (const database of Object.values(DB)) await dropMysqlDatabase(database);
  const mongo = await mongoose.createConnection(ENV.MONGO_URL).asPromise();
  await mongo.dropDatabase();
  await mongo.close();
  const redis = new Redis(ENV.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  await skipKafkaBacklog();
}

/**
 * The benchmark's consumer groups start at the end of every topic they read. The topics are shared
 * with the tests and `npm start`: what those wrote since the last run, and what the last run left
 * unconsumed, would otherwise be applied during this one, against the emptied stores (it held the
 * product service and FerretDB busy for over a minute after the warm-up).
 */
async function skipKafkaBacklog(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups.filter((g) => g.groupId.startsWith(ENV.KAFKA_GROUP_PREFIX))) {
      for (const { topic } of await admin.fetchOffsets({ groupId })) {
        // explicit offsets: "latest" (resetOffsets) commits none, and the services then read from the beginning
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = ends.map(({ partition, high }) => ({ partition, offset: high }));
        await admin.setOffsets({ groupId, topic, partitions });
      }
    }
  } finally {
    await admin.disconnect();
  }
}

const PROFILE_DIR = join(LOG_DIR, 'profiles');
/** Requests are sent to the gateways in turn. */
const poolFor = (pools: Pool[], i: number) => pools[i % pools.length];

async function main(): Promise<void> {
  console.log(`flash-sale benchmark: ${JSON.stringify(options)}`);
  const wiring = wiringEnv(OFFSET);
  /** When the sale accepted orders: the profiles are read for these stretches only. */
  const acceptingWindows: Window[] = [];
  if (options.profile) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
  }
  // --cpu-prof writes its profile when the process exits (the launcher stops it with SIGTERM)
  const profiled = (name: string): string[] =>
    options.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, name)}`] : [];
  await emptyStores();
  const services: RunningService[] = await startSystem({
    portOffset: OFFSET,
    logDir: LOG_DIR,
    only: ['brand', 'product', 'user', 'payment'],
    env: ENV,
    serviceEnv: {
      ...Object.fromEntries(Object.entries(DB).map(([s, db]) => [s, { DB_NAME: db }])),
      // verification links lead to this run's gateway
      user: { DB_NAME: DB.user, PUBLIC_BASE_URL: `http://127.0.0.1:${8080 + OFFSET}` },
    },
  });
  try {
    for (let r = 1; r <= options.orderReplicas; r++) {
      services.push(
        await startService('order', {
          portOffset: OFFSET + 100 * (r - 1),
          instance: `order-${r}`,
          logDir: LOG_DIR,
          env: { ...ENV, ...wiring, DB_NAME: DB.order },
          nodeArgs: profiled('order'),
        }),
      );
    }
    const orderUrls = services.filter((s) => s.name === 'order').map((s) => s.url);
    const gateways: RunningService[] = [];
    for (let g = 1; g <= options.gatewayReplicas; g++) {
      gateways.push(
        await startService('gateway', {
          portOffset: OFFSET + 1000 * (g - 1),
          instance: `gateway-${g}`,
          logDir: LOG_DIR,
          env: { ...ENV, ...wiring, ORDER_SERVICE_URL: orderUrls.join(',') },
          nodeArgs: profiled('gateway'),
        }),
      );
    }
    services.push(...gateways);
    process.env.GATEWAY_URL = gateways[0].url;

    const redisCeiling = await reservationCeiling(ROOT, 6379, 3, options.concurrency);

    console.log(`signing up and logging in ${options.shoppers} shoppers (and a seller) ...`);
    const seller = await login(await signUp('SELLER'));
    const brandId = await createBrand(seller.auth, brandForm({ freeDeliveryInfimum: 0 }));
    const newProduct = (quantity: number) =>
      createProduct(seller.auth, productForm(brandId, { quantity, price: 10000, discount: 0 }));
    const shoppers: Session[] = [];
    for (let i = 0; i < options.shoppers; i += 10) {
      shoppers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, options.shoppers - i) }, async () => login(await signUp())),
        )),
      );
    }

    const perGateway = Math.ceil(options.concurrency / gateways.length);
    const pools = gateways.map((g) => new Pool(g.url, { connections: perGateway, pipelining: 1 }));
    const headers = (i: number) => ({ ...shoppers[i % shoppers.length].auth, 'content-type': 'application/json' });
    /** Orders of one unit, request i for product i mod the number of products. */
    const orderRequest = (productIds: string[]) => {
      const bodies = productIds.map((id) => JSON.stringify(orderForm([[id, 1]])));
      return (i: number) => ({
        method: 'POST' as const,
        path: '/orders',
        headers: headers(i),
        body: bodies[i % bodies.length],
      });
    };
    // a product holds at most 1,000 units: a larger sale opens several hot products together
    const stocks = Array.from({ length: Math.ceil(options.stock / MAX_PRODUCT_STOCK) }, (_, k) =>
      Math.min(MAX_PRODUCT_STOCK, options.stock - k * MAX_PRODUCT_STOCK),
    );

    // warm-up: a first sale (JIT, gRPC channels, caches) at the same concurrency, until it sells out
    console.log('warming up ...');
    await load(pools, options.concurrency, orderRequest([await newProduct(MAX_PRODUCT_STOCK)]), (samples) =>
      samples.some((x) => x.status !== 200),
    );

    const rounds: { ceiling: Figures; accepting: Figures; soldOut: Figures; cpu: Map<string, number>[] }[] = [];
    const processes = processGroups(services);
    const products: {
      productId: string;
      stock: number;
      round: number;
      accepted: { shopper: number; orderId: string }[];
    }[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      console.log(`round ${round} of ${options.rounds} ... ${await settle(processes)}`);
      const ceilingEnd = performance.now() + options.duration * 1000;
      const ceilingCpu = startCpuMeter(processes);
      const ceiling = await load(
        pools,
        options.concurrency,
        (i) => ({ method: 'GET', path: '/users/whoami', headers: headers(i) }),
        () => performance.now() > ceilingEnd,
      );
      const ceilingCpuMs = ceilingCpu.stop();

      const productIds = await Promise.all(stocks.map((stock) => newProduct(stock)));
      const request = orderRequest(productIds);
      const started = performance.now();
      const acceptingCpu = startCpuMeter(processes);
      const windowStart = monotonicUs();
      // sold out: a refusal once the whole stock was accepted
      let seen = 0;
      let acceptedCount = 0;
      let sellOutSeen = false;
      const acceptingSamples = await load(pools, options.concurrency, request, (samples) => {
        for (; seen < samples.length; seen++) {
          if (samples[seen].status === 200) acceptedCount++;
          else if (acceptedCount >= options.stock) sellOutSeen = true;
        }
        return sellOutSeen;
      });
      const acceptingCpuMs = acceptingCpu.stop();
      acceptingWindows.push([windowStart, monotonicUs()]);
      const acceptingSeconds = (acceptingSamples[acceptingSamples.length - 1].end - started) / 1000;
      productIds.forEach((productId, k) =>
        products.push({
          productId,
          stock: stocks[k],
          round,
          accepted: acceptingSamples
            .filter((x) => x.status === 200 && x.i % productIds.length === k)
            .map((x) => ({ shopper: x.i % shoppers.length, orderId: x.orderId! })),
        }),
      );
      const soldOutEnd = performance.now() + options.duration * 1000;
      const soldOutCpu = startCpuMeter(processes);
      const soldOut = await load(pools, options.concurrency, request, () => performance.now() > soldOutEnd);
      const soldOutCpuMs = soldOutCpu.stop();
      const perRequest = (cpu: Map<string, number>, requests: number) =>
        new Map([...cpu].map(([name, ms]) => [name, ms / requests]));
      rounds.push({
        ceiling: figures('ceiling: no-op via gateway', ceiling, options.duration),
        accepting: figures('accepting (until sold out)', acceptingSamples, acceptingSeconds),
        soldOut: figures('sold out', soldOut, options.duration),
        cpu: [
          perRequest(ceilingCpuMs, ceiling.length),
          perRequest(acceptingCpuMs, acceptingSamples.length),
          perRequest(soldOutCpuMs, soldOut.length),
        ],
      });
    }

    // pay for most of the last round's orders; the cancel job ends every other one
    const paidOf = new Map<string, number>();
    const toPay = products
      .filter((p) => p.round === options.rounds)
      .flatMap((p) =>
        p.accepted
          .slice(0, Math.round((p.accepted.length * options.payPercent) / 100))
          .map((a) => ({ ...a, productId: p.productId })),
      );
    const payFailures = new Map<string, number>();
    for (let i = 0; i < toPay.length; i += 20) {
      await Promise.all(
        toPay.slice(i, i + 20).map(async ({ shopper, orderId, productId }, j) => {
          const pool = poolFor(pools, i + j);
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
          if (res.statusCode === 200) {
            paidOf.set(productId, (paidOf.get(productId) ?? 0) + 1);
          } else {
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
    const audits: Awaited<ReturnType<typeof waitForAudit>>[] = [];
    for (const p of products) {
      audits.push(await waitForAudit(p.productId, p.accepted.length, paidOf.get(p.productId) ?? 0, p.stock));
    }
    await Promise.all(pools.map((pool) => pool.close()));

    console.log('\nround  phase                         requests  seconds  req/s   p50 ms  p95 ms  p99 ms  answers');
    rounds.forEach((r, n) => {
      for (const f of [r.ceiling, r.accepting, r.soldOut]) {
        console.log(
          `${String(n + 1).padStart(5)}  ${f.phase.padEnd(30)}${String(f.requests).padStart(8)}  ${f.seconds.toFixed(2).padStart(7)}  ${f.rps.toFixed(0).padStart(6)}  ${f.p50.toFixed(1).padStart(6)}  ${f.p95.toFixed(1).padStart(6)}  ${f.p99.toFixed(1).padStart(6)}  ${f.statuses}`,
        );
      }
    });
    const stat = (name: string, values: number[], unit: string, target = '') => {
      const spread = Math.max(...values) - Math.min(...values);
      console.log(
        `${name.padEnd(36)} median ${median(values).toFixed(1).padStart(7)} ${unit.padEnd(5)} spread ${spread.toFixed(1).padStart(6)}  (${values.map((v) => v.toFixed(1)).join(', ')})${target ? `   target ${target}` : ''}`,
      );
    };
    console.log(`\nover ${rounds.length} rounds (median, max − min, each round):`);
    const perRound: [string, (r: (typeof rounds)[number]) => number, string, string?][] = [
      ['ceiling req/s', (r) => r.ceiling.rps, 'req/s'],
      ['accepting req/s', (r) => r.accepting.rps, 'req/s'],
      ['accepting phase length', (r) => r.accepting.seconds, 's', '≥ 10 s'],
      ['accepting / no-op ceiling', (r) => (r.accepting.rps / r.ceiling.rps) * 100, '%', '≥ 50 %'],
      ['accepting / reservation script', (r) => (r.accepting.rps / redisCeiling) * 100, '%'],
      ['accepting p99', (r) => r.accepting.p99, 'ms', '< 150 ms'],
      ['sold out / no-op ceiling', (r) => (r.soldOut.rps / r.ceiling.rps) * 100, '%', '≥ 100 %'],
      ['sold out p99', (r) => r.soldOut.p99, 'ms', '< 50 ms'],
    ];
    for (const [name, value, unit, target] of perRound) stat(name, rounds.map(value), unit, target);
    console.log(
      `reservation script ceiling (redis-benchmark, ${options.concurrency} clients): ${redisCeiling.toFixed(0)} req/s`,
    );
    console.log('\nCPU per request by process (ms, median over rounds): where each phase spends the machine');
    const groups = [...processes.keys()];
    console.log(`  ${'phase'.padEnd(10)}${groups.map((g) => g.padStart(9)).join('')}${'total'.padStart(9)}`);
    const row = (label: string, ms: number[]) =>
      console.log(
        `  ${label.padEnd(10)}${ms.map((v) => v.toFixed(2).padStart(9)).join('')}${ms
          .reduce((a, b) => a + b, 0)
          .toFixed(2)
          .padStart(9)}`,
      );
    ['ceiling', 'accepting', 'sold out'].forEach((phase, k) =>
      row(
        phase,
        groups.map((g) => median(rounds.map((r) => r.cpu[k].get(g)!))),
      ),
    );
    // the accepting phase round by round: which process a slower round spent more in
    rounds.forEach((r, n) =>
      row(
        `  round ${n + 1}`,
        groups.map((g) => r.cpu[1].get(g)!),
      ),
    );
    const sum = (key: 'initial' | 'accepted' | 'paid' | 'remaining' | 'oversold') =>
      audits.reduce((total, a) => total + a[key], 0);
    const broken = audits.filter((a) => a.invariant !== 'initial = remaining + paid holds');
    console.log(
      `\naudit of ${audits.length} products: initial ${sum('initial')}, accepted ${sum('accepted')}, paid ${sum('paid')}, ` +
        `remaining ${sum('remaining')} (= reservable), oversold ${sum('oversold')}; initial = remaining + paid ` +
        (broken.length ? `BROKEN for ${JSON.stringify(broken)}` : 'holds for every product'),
    );
    if (payFailures.size) console.log(`payments refused: ${JSON.stringify(Object.fromEntries(payFailures))}`);
    console.log('\npeak resident memory (VmHWM):');
    for (const s of services) console.log(`  ${s.name.padEnd(8)} ${peakMemoryMb(s.process.pid!).toFixed(0)} MB`);
  } finally {
    await stopAll(services);
  }
  if (options.profile) {
    // for a closer look at the profiles afterwards: the stretches the figures below count
    writeFileSync(join(PROFILE_DIR, 'accepting-windows.json'), JSON.stringify(acceptingWindows));
    for (const name of ['gateway', 'order']) {
      const { self, own } = topFrames(join(PROFILE_DIR, name), acceptingWindows);
      console.log(`\n${name}, accepting phases, all its processes (profiles in ${join(PROFILE_DIR, name)})`);
      console.log('  functions running when sampled (self time):');
      for (const line of self) console.log(`    ${line}`);
      console.log("  RUNRUN's own functions on the stack (the work each step causes):");
      for (const line of own) console.log(`    ${line}`);
    }
  }
}

/** Waits until payments and cancellations have been applied, then reads stock and reservations. */
async function waitForAudit(productId: string, accepted: number, paid: number, initial: number) {
  const redis = new Redis(ENV.REDIS_URL);
  try {
    for (let i = 0; i < 120; i++) {
      const res = await fetch(`http://127.0.0.1:${8083 + OFFSET}/products/${productId}/stock`);
      const remaining = ((await res.json()) as { quantity: number }).quantity;
      const reservable = Number(await redis.get(`RESERVED_PRODUCT_STOCK{${productId}}`));
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
