import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DependencyRegistry, KafkaBus, LOGGER } from '@runrun/common';
import { StockChangedEvent, Topics } from '@runrun/contracts';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { Logger } from 'pino';
import { MONGO } from '../mongo';
import { ProductItemCache } from '../product/product-item.cache';
import { PRODUCT_MODEL, ProductModel } from '../product/product.schema';
import { StockLocks } from './stock-locks';

const RELAY_INTERVAL_MS = 500;

/** A seller's stock change waiting to be published (`_id` is the event id). */
interface StockChangeRow {
  _id: string;
  productId: string;
  delta: number;
}
const stockChangeSchema = new Schema<StockChangeRow>(
  { _id: { type: String, required: true }, productId: { type: String, required: true }, delta: Number },
  { collection: 'stock_change_outbox', timestamps: true, versionKey: false },
);

/**
 * A seller's stock change (product update) reaches order's reservation counter as a difference
 * (`stock-changed-events`), never as a value: a value would overwrite reservations made meanwhile.
 * The new quantity and the row that carries its difference are written under the stock lock (so
 * no payment decrease slips between reading and writing); the row is relayed and deleted.
 * A crash between the two writes loses that one difference (the counter then lags the stock).
 */
@Injectable()
export class StockChanges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly outbox: Model<StockChangeRow>;
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<void>;

  constructor(
    @Inject(MONGO) connection: Connection,
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    private readonly kafka: KafkaBus,
    private readonly dependencies: DependencyRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.outbox = connection.model<StockChangeRow>('StockChange', stockChangeSchema);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    this.dependencies.onStop('stock change relay', () => this.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }

  /** A seller sets the stock: under the same lock as orders' decreases, its difference recorded. */
  async set(productId: string, quantity: number): Promise<void> {
    await this.locks.withLocks([productId], async () => {
      // compare-and-set: the difference is exact even if a movement outside the lock changed it
      for (;;) {
        const before = await this.products.findById(productId, { quantity: 1 }).lean().exec();
        if (!before) return;
        const delta = quantity - before.quantity;
        if (delta === 0) return;
        const done = await this.products.updateOne({ _id: productId, quantity: before.quantity }, { quantity }).exec();
        if (done.modifiedCount === 0) continue;
        await this.outbox.create({ _id: randomUUID(), productId, delta });
        return;
      }
    });
    await this.cache.forget([productId]);
    void this.relay();
  }

  relay(): Promise<void> {
    this.relaying ??= this.relayRound().finally(() => (this.relaying = undefined));
    return this.relaying;
  }

  private async relayRound(): Promise<void> {
    try {
      const pending = await this.outbox.find().limit(500).lean().exec();
      if (!pending.length) return;
      await this.kafka.publishMany(
        Topics.STOCK_CHANGED,
        pending.map((row) => ({
          payload: { productId: row.productId, delta: row.delta } satisfies StockChangedEvent,
          options: { key: row.productId, eventId: row._id },
        })),
      );
      await this.outbox.deleteMany({ _id: { $in: pending.map((r) => r._id) } }).exec();
    } catch (err) {
      this.logger.warn({ err }, 'stock change relay will retry');
    }
  }
}
