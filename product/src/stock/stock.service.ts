import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { ProductItemCache } from '../product/product-item.cache';
import { PRODUCT_MODEL, ProductModel } from '../product/product.schema';
import { StockLocks } from './stock-locks';
import {
  movementId,
  STOCK_EVENT_OUTBOX_MODEL,
  STOCK_MOVEMENT_MODEL,
  StockEventOutboxModel,
  StockMovementModel,
} from './stock-movement.schema';

export interface StockItem {
  productId: string;
  quantity: number;
}

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

/** Authoritative stock in MongoDB: taken at payment, given back when a paid order ends without a sale. */
@Injectable()
export class StockService {
  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    @Inject(STOCK_MOVEMENT_MODEL) private readonly movements: StockMovementModel,
    @Inject(STOCK_EVENT_OUTBOX_MODEL) private readonly outbox: StockEventOutboxModel,
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Takes the order's stock, all products or none (the original kept earlier products decremented
   * when a later one failed). Repeated ids are added up. Asking again for the same order answers
   * the first outcome and takes nothing more: the movement row, unique per order, decides who applies
   * it, before any lock is taken, so the locked section is only the conditional updates. A failure
   * leaves a stock-check-failed event in the outbox, which the relay publishes.
   */
  async decrease(orderId: string, requested: StockItem[]): Promise<boolean> {
    const items = merge(requested);
    if (!orderId || items.length === 0 || items.some((i) => !(i.quantity > 0))) return false;
    const movement = await this.claim(orderId, 'decrease', items);
    if (!movement.claimed) return movement.state === 'applied';
    const ids = items.map((i) => i.productId);
    const ok = await this.locks.withLocks(ids, async () => {
      const taken: StockItem[] = [];
      for (const item of items) {
        const updated = await this.products
          .updateOne(
            { _id: item.productId, isDeleted: false, quantity: { $gte: item.quantity } },
            { $inc: { quantity: -item.quantity } },
          )
          .exec()
          .catch(() => ({ modifiedCount: 0 }));
        if (updated.modifiedCount !== 1) break;
        taken.push(item);
      }
      if (taken.length === items.length) return true;
      for (const item of taken)
        await this.products.updateOne({ _id: item.productId }, { $inc: { quantity: item.quantity } }).exec();
      return false;
    });
    // the event first: a crash before the state is recorded still tells order the truth
    if (!ok) await this.outbox.updateOne({ _id: orderId }, {}, { upsert: true }).exec();
    await this.movements
      .updateOne({ _id: movementId('decrease', orderId) }, { state: ok ? 'applied' : 'failed' })
      .exec();
    await this.cache.forget(ids);
    return ok;
  }

  /**
   * Gives back what the order's decrease took, once: only an order whose stock was taken gets
   * anything back, and a repeated event (or a second kind of event for the same order) finds the
   * restore already recorded.
   */
  async restore(orderId: string): Promise<void> {
    let decrease = await this.movements.findById(movementId('decrease', orderId)).lean().exec();
    // a decrease still being applied (a payment confirmed while its order ended) is waited for
    for (let wait = 0; decrease?.state === 'applying' && wait < 50; wait++) {
      await new Promise((r) => setTimeout(r, 50));
      decrease = await this.movements.findById(movementId('decrease', orderId)).lean().exec();
    }
    if (decrease?.state !== 'applied') {
      this.logger.info({ orderId }, 'no stock was taken for this order: nothing to restore');
      return;
    }
    const movement = await this.claim(orderId, 'restore', decrease.items);
    if (!movement.claimed) return this.logger.info({ orderId }, 'stock already restored for this order');
    const ids = decrease.items.map((i) => i.productId);
    await this.locks.withLocks(ids, async () => {
      for (const item of decrease.items) {
        await this.products.updateOne({ _id: item.productId }, { $inc: { quantity: item.quantity } }).exec();
      }
    });
    await this.movements.updateOne({ _id: movementId('restore', orderId) }, { state: 'applied' }).exec();
    await this.cache.forget(ids);
  }

  /**
   * Records that this call applies (orderId, kind), or returns the outcome of the call that did.
   * A twin call that arrives while the first is still applying waits for its outcome.
   */
  private async claim(
    orderId: string,
    kind: 'decrease' | 'restore',
    items: StockItem[],
  ): Promise<{ claimed: true } | { claimed: false; state: string }> {
    try {
      await this.movements.create({ _id: movementId(kind, orderId), orderId, kind, items, state: 'applying' });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    for (let wait = 0; wait < 50; wait++) {
      const previous = await this.movements.findById(movementId(kind, orderId)).lean().exec();
      if (previous && previous.state !== 'applying') return { claimed: false, state: previous.state };
      await new Promise((r) => setTimeout(r, 50));
    }
    return { claimed: false, state: 'applying' };
  }

  /** A seller sets the stock (product update), under the same lock as orders' decreases. */
  async set(productId: string, quantity: number): Promise<void> {
    await this.locks.withLocks([productId], () => this.products.updateOne({ _id: productId }, { quantity }).exec());
    await this.cache.forget([productId]);
  }
}

function merge(items: StockItem[]): StockItem[] {
  const byId = new Map<string, number>();
  for (const { productId, quantity } of items) byId.set(productId, (byId.get(productId) ?? 0) + quantity);
  return [...byId.entries()].map(([productId, quantity]) => ({ productId, quantity }));
}
