import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, createRedis, DependencyRegistry, metricsRegistry } from '@runrun/common';
import type Redis from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import Redlock from 'redlock';
import type { ProductConfig } from '../config';
import { RedisKeys } from '../redis-keys';

const LOCK_TTL_MS = 5_000;

const lockWait = new Histogram({
  name: 'runrun_redlock_wait_seconds',
  help: 'Time a stock change waited for its product locks (queue in process, then the Redlock quorum)',
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
const lockFailures = new Counter({
  name: 'runrun_redlock_failures_total',
  help: 'Stock changes that could not get their product locks (no quorum, or still held after every retry)',
  registers: [metricsRegistry],
});

/**
 * Per-product stock locks (`PRODUCT_STOCK:<id>`, as the original's Redisson locks) with Redlock
 * over independent Redis servers: a lock holds while a majority of them agree, so one server down
 * changes nothing. The stock updates themselves are conditional as well, so even a lost lock can
 * never take stock below zero.
 */
@Injectable()
export class StockLocks {
  private readonly redlock: Redlock;
  private readonly clients: Redis[];
  /** The last queued call per set of products, in this process. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(@Inject(CONFIG) config: ProductConfig, dependencies: DependencyRegistry) {
    this.clients = config.redlockUrls.map((url, i) =>
      createRedis(url, `product-redlock-${i}`, { offlineQueue: false }),
    );
    this.redlock = new Redlock(this.clients, {
      retryCount: 50,
      retryDelay: 100,
      retryJitter: 100,
      automaticExtensionThreshold: 1000,
    });
    // errors of single servers are expected while one is down; acquisition reports real failures
    this.redlock.on('error', () => undefined);
    dependencies.register(
      'redlock',
      async () => {
        const answers = await Promise.allSettled(this.clients.map((c) => c.ping()));
        const up = answers.filter((a) => a.status === 'fulfilled').length;
        if (up <= this.clients.length / 2) throw new Error(`only ${up} of ${this.clients.length} lock servers answer`);
      },
      () => Promise.allSettled(this.clients.map((c) => c.quit())),
    );
  }

  /**
   * Runs `work` holding the locks of all `productIds` (taken together, in one order: no deadlock).
   * Calls for the same products queue in this process first, so a rush on one product hands the
   * lock from one call to the next at once instead of every call polling Redis for it.
   */
  async withLocks<T>(productIds: string[], work: () => Promise<T>): Promise<T> {
    const resources = [...new Set(productIds)].sort().map(RedisKeys.stockLock);
    const key = resources.join('|');
    const previous = this.queues.get(key) ?? Promise.resolve();
    const waiting = lockWait.startTimer();
    let locked = false;
    const run = previous.then(() =>
      this.redlock.using(resources, LOCK_TTL_MS, async () => {
        locked = true;
        waiting();
        return work();
      }),
    );
    run.catch(() => {
      if (!locked) lockFailures.inc();
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}
