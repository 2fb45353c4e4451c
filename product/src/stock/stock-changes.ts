import { Inject, Injectable } from '@nestjs/common';
import { StockChangedEvent, Topics } from '@runrun/contracts';
import { MongoOutbox } from '../outbox/mongo-outbox';
import { ProductItemCache } from '../product/product-item.cache';
import { PRODUCT_MODEL, ProductModel } from '../product/product.schema';
import { StockLocks } from './stock-locks';

/**
 * A seller's stock change (product update) reaches order's reservation counter as a difference
 * (`stock-changed-events`), never as a value: a value would overwrite reservations made meanwhile.
 * The new quantity and the outbox row that carries its difference are written under the stock
 * lock (so no payment decrease slips between reading and writing). A crash between the two writes
 * loses that one difference (the counter then lags the stock).
 */
@Injectable()
export class StockChanges {
  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    private readonly outbox: MongoOutbox,
  ) {}

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
        const event: StockChangedEvent = { productId, delta };
        await this.outbox.enqueue(Topics.STOCK_CHANGED, event, productId);
        return;
      }
    });
    await this.cache.forget([productId]);
  }
}
