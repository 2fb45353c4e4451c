import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { ProductItemCache } from '../product/product-item.cache';
import { PRODUCT_MODEL, ProductModel } from '../product/product.schema';
import { StockLocks } from './stock-locks';
import { STOCK_MOVEMENT_MODEL, StockMovementModel } from './stock-movement.schema';

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
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Takes the order's stock, all products or none (the original kept earlier products decremented
   * when a later one failed). Repeated ids are added up. Asking again for the same order answers
   * the first outcome and takes nothing more. A failure is recorded with a pending
   * stock-check-failed event, which the relay publishes.
   */
  async decrease(orderId: string, requested: StockItem[]): Promise<boolean> {
    const items = merge(requested);
    if (!orderId || items.length === 0 || items.some((i) => !(i.quantity > 0))) return false;
    const ids = items.map((i) => i.productId);
    const succeeded = await this.locks.withLocks(ids, async () => {
      const previous = await this.movements.findOne({ orderId, kind: 'decrease' }).lean().exec();
      if (previous) return previous.state === 'applied';
      const movement = await this.movements.create({ orderId, kind: 'decrease', items, state: 'applying' });
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
      const ok = taken.length === items.length;
      if (!ok) {
        for (const item of taken)
          await this.products.updateOne({ _id: item.productId }, { $inc: { quantity: item.quantity } }).exec();
      }
      await this.movements
        .updateOne({ _id: movement._id }, { state: ok ? 'applied' : 'failed', eventPending: !ok })
        .exec();
      return ok;
    });
    await this.cache.forget(ids);
    return succeeded;
  }

  /**
   * Gives back what the order's decrease took, once: only an order whose stock was taken gets
   * anything back, and a repeated event (or a second kind of event for the same order) finds the
   * restore already recorded.
   */
  async restore(orderId: string): Promise<void> {
    const decrease = await this.movements.findOne({ orderId, kind: 'decrease', state: 'applied' }).lean().exec();
    if (!decrease) {
      this.logger.info({ orderId }, 'no stock was taken for this order: nothing to restore');
      return;
    }
    const ids = decrease.items.map((i) => i.productId);
    await this.locks.withLocks(ids, async () => {
      try {
        await this.movements.create({ orderId, kind: 'restore', items: decrease.items, state: 'applying' });
      } catch (error) {
        if (isDuplicateKey(error)) return this.logger.info({ orderId }, 'stock already restored for this order');
        throw error;
      }
      for (const item of decrease.items) {
        await this.products.updateOne({ _id: item.productId }, { $inc: { quantity: item.quantity } }).exec();
      }
      await this.movements.updateOne({ orderId, kind: 'restore' }, { state: 'applied' }).exec();
    });
    await this.cache.forget(ids);
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
