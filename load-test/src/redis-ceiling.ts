import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';

/**
 * The reservation script's ceiling on this machine: redis-benchmark calling a product's step
 * (EVALSHA, one product, a stock that never runs out) at `clients` connections, in requests per
 * second. Every order of a product runs that script in the product's one hash slot, so the
 * order path cannot accept a product's orders faster (the shopper's step spreads over shoppers).
 */
export async function reservationCeiling(root: string, port: number, db: number, clients: number): Promise<number> {
  const script = readFileSync(join(root, 'order', 'src', 'reservation', 'reserve-product.lua'), 'utf8');
  const redis = new Redis({ port, db });
  const sha = (await redis.script('LOAD', script)) as string;
  await redis.quit();
  // counter, shopper units, the order's hold and released marker (the hold expires after a minute)
  const keys = ['BENCH_STOCK', 'BENCH_UNITS', 'BENCH_HOLD:__rand_int__', 'BENCH_RELEASED:__rand_int__'];
  // quantity, initial stock, limit, units TTL, hold TTL
  const args = ['1', '1000000000', '0', '60', '60'];
  const result = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '--dbnum', String(db), '-c', String(clients), '-n', '100000', '-r', '1000000', '--csv'].concat(
      ['EVALSHA', sha, String(keys.length), ...keys, ...args],
    ),
    { encoding: 'utf8' },
  );
  const cleanup = new Redis({ port, db });
  await cleanup.del('BENCH_STOCK', 'BENCH_UNITS');
  await cleanup.quit();
  // the last CSV line: "EVALSHA …","<requests per second>",…
  const line = result.stdout.trim().split('\n').pop() ?? '';
  const rps = Number(line.split(',')[1]?.replace(/"/g, ''));
  if (result.status !== 0 || !Number.isFinite(rps)) throw new Error(`redis-benchmark failed: ${result.stderr || line}`);
  return rps;
}
