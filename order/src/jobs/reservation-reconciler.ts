import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, LOGGER, metricsRegistry, REDIS, RedisClient } from '@runrun/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { OrderConfig } from '../config';
import { OrderRepository } from '../order/order.repository';
import { Reservations } from '../reservation/reservations';
import { RedisKeys, SHOPPER_BUCKETS } from '../redis-keys';

const BATCH = 500;

const leaked = new Counter({
  name: 'order_reservations_leaked_total',
  help: 'Reservations given back by the reconciler because their order row never came',
  registers: [metricsRegistry],
});

/**
 * Gives back reservations whose order row never came (the process died between the reservation
 * and the INSERT, or between its steps): every reservation is recorded by its first step, in its
 * shopper's bucket; one older than the grace with no row is released (the products it holds, once:
 * the release markers), one with a row is only dropped from the
 * record. One replica at a time (a short Redis lock); the marker makes a second one harmless.
 * The grace must exceed the longest INSERT, or an order still being written loses its units.
 */
@Injectable()
export class ReservationReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly reservations: Reservations,
    private readonly orders: OrderRepository,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs } = this.config.reconcile;
    this.timer = setTimeout(() => this.tick(), Math.floor(Math.random() * intervalMs));
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    this.running = this.round()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ err }, 'reservation reconciliation failed; next one retries'))
      .finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(() => this.tick(), this.config.reconcile.intervalMs);
      });
  }

  /** One round under the lock; the number of reservations given back (0 without the lock). */
  async round(): Promise<number> {
    const token = randomUUID();
    const lockMs = Math.max(10_000, this.config.reconcile.intervalMs * 2);
    if ((await this.redis.set(RedisKeys.reconcilerLock, token, 'PX', lockMs, 'NX')) !== 'OK') return 0;
    try {
      let released = 0;
      const before = Date.now() - this.config.reconcile.graceMs;
      for (let bucket = 0; bucket < SHOPPER_BUCKETS; bucket++) {
        for (;;) {
          const records = await this.reservations.recordedBefore(bucket, before, BATCH);
          if (!records.length) break;
          const ids = records.map((r) => r.orderId);
          const withRow = await this.orders.existing(ids);
          for (const record of records) {
            if (withRow.has(record.orderId) || !record.items.length) continue;
            // only what it holds: the process may have died before it reached every product
            if (await this.reservations.release(record.orderId, record.items, record.userId, true)) {
              released++;
              leaked.inc();
              this.logger.warn({ orderId: record.orderId }, 'reservation without its order given back');
            }
          }
          await this.reservations.forget(bucket, ids);
          if (records.length < BATCH) break;
        }
      }
      return released;
    } finally {
      // only our own lock
      await this.redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        RedisKeys.reconcilerLock,
        token,
      );
    }
  }
}
