import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';

/**
 * The reservation script's ceiling on this machine: redis-benchmark calling it (EVALSHA, one
 * product, a stock that never runs out) at `clients` connections, in requests per second. The
 * order path cannot accept faster than its one Redis script per order.
 */
export async function reservationCeiling(root: string, port: number, db: number, clients: number): Promise<number> {
  const script = readFileSync(join(root, 'order', 'src', 'reservation', 'reserve.lua'), 'utf8');
  const redis = new Redis({ port, db });
  const sha = (await redis.script('LOAD', script)) as string;
  await redis.quit();
  const keys = ['BENCH_STOCK', 'BENCH_UNITS', 'BENCH_UNPAID', 'BENCH_RESERVATIONS', 'BENCH_RESERVATION_ITEMS'];
  // n, quantity, initial stock, limit, now, deadline, cap, orderId, units TTL, record
  const args = ['1', '1', '1000000000', '0', '0', '9999999999999', '0', 'order-__rand_int__', '60', '{}'];
  const result = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '--dbnum', String(db), '-c', String(clients), '-n', '100000', '-r', '1000000', '--csv'].concat(
      ['EVALSHA', sha, String(keys.length), ...keys, ...args],
    ),
    { encoding: 'utf8' },
  );
  const cleanup = new Redis({ port, db });
  await cleanup.del(...keys);
  await cleanup.quit();
  // the last CSV line: "EVALSHA …","<requests per second>",…
  const line = result.stdout.trim().split('\n').pop() ?? '';
  const rps = Number(line.split(',')[1]?.replace(/"/g, ''));
  if (result.status !== 0 || !Number.isFinite(rps)) throw new Error(`redis-benchmark failed: ${result.stderr || line}`);
  return rps;
}
