import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  backoffDelay,
  classifyFailure,
  DependencyRegistry,
  describeFailure,
  KafkaBus,
  LOGGER,
  outboxParked,
  watchOutbox,
} from '@runrun/common';
import { OrderEvent, StockCheckFailedEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { STOCK_EVENT_OUTBOX_MODEL, StockEventOutboxModel, StockEventOutboxRow } from './stock-movement.schema';
import { StockService } from './stock.service';

const RELAY_INTERVAL_MS = 500;

const message = (row: StockEventOutboxRow) => ({
  payload: { orderId: row._id } satisfies StockCheckFailedEvent,
  // the row's own UUID; a row written before event ids existed keeps the id it had then
  options: { key: row._id, eventId: row.eventId ?? `stock-check-failed:${row._id}` },
});

/**
 * Stock's Kafka side: consumes order-failed and order-cancelled (give the stock back), and relays
 * the stock-check-failed events that failed decreases leave in the outbox (so an event survives a
 * crash between the decision and the publish).
 */
@Injectable()
export class StockEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<void>;

  constructor(
    private readonly kafka: KafkaBus,
    private readonly stock: StockService,
    @Inject(STOCK_EVENT_OUTBOX_MODEL) private readonly outbox: StockEventOutboxModel,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dependencies: DependencyRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const restore = (event: OrderEvent) => this.stock.restore(event.orderId);
    await this.kafka.subscribe<OrderEvent>('product-group', [Topics.ORDER_FAILED, Topics.ORDER_CANCELLED], restore);
    this.timer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    watchOutbox('stock_event_outbox', async () => {
      const waiting = { failedAt: { $exists: false } };
      const [rows, oldest] = await Promise.all([
        this.outbox.countDocuments(waiting).exec(),
        this.outbox
          .findOne(waiting)
          .sort({ createdAt: 1 })
          .select({ createdAt: 1 })
          .lean<{ createdAt?: Date }>()
          .exec(),
      ]);
      const created = oldest?.createdAt?.getTime();
      return { rows, oldestAgeSeconds: created ? Math.max(0, (Date.now() - created) / 1000) : 0 };
    });
    // stops with the other intakes on shutdown, its round in flight finished
    this.dependencies.onStop('stock event relay', () => this.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }

  /**
   * Publishes the pending rows and deletes them. A broker that is away leaves them all for the next
   * round; a row that fails on its own is retried with backoff while the others go on, and parked
   * (`failedAt`, `lastError`, `runrun_outbox_parked_total`) when it can never be published.
   */
  relay(): Promise<void> {
    this.relaying ??= this.relayRound().finally(() => (this.relaying = undefined));
    return this.relaying;
  }

  private async relayRound(): Promise<void> {
    try {
      const pending = await this.outbox
        .find({
          failedAt: { $exists: false },
          $or: [{ nextAttemptAt: { $exists: false } }, { nextAttemptAt: { $lte: new Date() } }],
        })
        .limit(500)
        .lean()
        .exec();
      if (!pending.length) return;
      try {
        await this.kafka.publishMany(
          Topics.STOCK_CHECK_FAILED,
          pending.map((row) => message(row)),
        );
        await this.outbox.deleteMany({ _id: { $in: pending.map((e) => e._id) } }).exec();
        return;
      } catch (error) {
        if (classifyFailure(error) === 'transient') throw error;
      }
      for (const row of pending) {
        try {
          await this.kafka.publishMany(Topics.STOCK_CHECK_FAILED, [message(row)]);
          await this.outbox.deleteOne({ _id: row._id }).exec();
        } catch (error) {
          if (classifyFailure(error) === 'transient') throw error;
          await this.recordFailure(row, error);
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'stock event relay will retry');
    }
  }

  private async recordFailure(row: StockEventOutboxRow, error: unknown): Promise<void> {
    const attempts = (row.attempts ?? 0) + 1;
    const lastError = describeFailure(error);
    if (classifyFailure(error) === 'permanent' || attempts >= this.kafka.outboxMaxAttempts) {
      await this.outbox.updateOne({ _id: row._id }, { attempts, lastError, failedAt: new Date() }).exec();
      outboxParked.inc({ topic: Topics.STOCK_CHECK_FAILED });
      this.logger.error({ orderId: row._id, attempts, err: error }, `stock event parked: ${lastError}`);
      return;
    }
    const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts, this.kafka.retryPolicy));
    await this.outbox.updateOne({ _id: row._id }, { attempts, lastError, nextAttemptAt }).exec();
    this.logger.warn({ orderId: row._id, attempts, err: error }, 'stock event failed: retrying');
  }
}
