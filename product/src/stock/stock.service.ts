import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, LOGGER, TransientError } from '@runrun/common';
import { StockCheckFailedEvent, Topics } from '@runrun/contracts';
import { isValidObjectId } from 'mongoose';
import type { Logger } from 'pino';
import type { ProductConfig } from '../config';
import { MongoOutbox } from '../outbox/mongo-outbox';
import { ProductItemCache } from '../product/product-item.cache';
import { PRODUCT_MODEL, ProductModel } from '../product/product.schema';
import { StockLocks } from './stock-locks';
import {
  markField,
  MovementKind,
  movementId,
  OPEN_MOVEMENT_MODEL,
  OpenMovementModel,
  STOCK_MOVEMENT_MODEL,
  OpenMovement,
  StockMovementModel,
} from './stock-movement.schema';

export interface StockItem {
  productId: string;
  quantity: number;
}

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a call waits for a twin call of the same order to finish before taking it over. */
const TWIN_WAIT_MS = 2500;

/** A movement as far as applying it goes: its row, or its open row while it is applied. */
interface Movement {
  _id: string;
  orderId: string;
  kind: MovementKind;
  items: StockItem[];
  state: 'applying' | 'applied' | 'failed';
}

/**
 * Who applies a movement: the call that created it (`created`, `attempt`: what it wrote), or a call taking
 * over one left applying (a retry completes it; recovery rolls a decrease back).
 */
type Holder = { created: Movement; attempt: string; at: number } | { takeOver: true };
type Outcome = 'applied' | 'failed' | 'rolled back';

/**
 * Authoritative stock in MongoDB: taken at payment, given back when a paid order ends without a
 * sale. A server being away (MongoDB, the lock servers) is never answered as a shortage: the call
 * fails as transient (gRPC UNAVAILABLE), and what it left half done is finished exactly by the
 * order's next call (a retried payment completes it) or by recovery (it is rolled back once the
 * grace period has passed; see stock-movement.schema.ts and stock-recovery.ts).
 *
 * Every write to a product, and every change of a movement being applied (its open row), happens
 * under the products' locks: FerretDB applies concurrent updates of one document as
 * read-modify-write (a conditional update is only safe when nothing else writes that document
 * meanwhile), and the hand-over of a movement from one call to another must be a plain
 * compare-and-set. The locked part touches only products and open rows (small collections:
 * FerretDB scans a collection for every lookup).
 */
@Injectable()
export class StockService {
  private readonly graceMs: number;
  /** Per product, the marks of movements this process decided that are still to be cleared. */
  private readonly pendingClears = new Map<string, Record<string, ''>>();
  /** Per product, the quantity this process last saw under its lock (a hint: see `step`). */
  private readonly quantityHints = new Map<string, number>();

  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    @Inject(STOCK_MOVEMENT_MODEL) private readonly movements: StockMovementModel,
    @Inject(OPEN_MOVEMENT_MODEL) private readonly open: OpenMovementModel,
    private readonly outbox: MongoOutbox,
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    @Inject(CONFIG) config: ProductConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.graceMs = config.stockRecoveryGraceMs;
  }

  /**
   * Takes the order's stock, all products or none (the original kept earlier products decremented
   * when a later one failed). Repeated ids are added up. Asking again for the same order answers
   * the first outcome and takes nothing more: the movement row, unique per order, decides who applies
   * it. A shortage leaves a stock-check-failed event in the outbox, which the relay publishes. A
   * decrease found half done (its call died or failed on a store) is completed by this call.
   */
  async decrease(orderId: string, requested: StockItem[]): Promise<boolean> {
    const items = mergeItems(requested);
    if (!orderId || items.length === 0 || items.some((i) => !(i.quantity > 0))) return false;
    for (let round = 1; ; round++) {
      const claimed = await this.claim(orderId, 'decrease', items);
      if ('state' in claimed) return claimed.state === 'applied';
      const outcome = await this.apply(movementId('decrease', orderId), claimed.holder, 'complete');
      if (outcome !== 'rolled back') return outcome === 'applied';
      // the one taken over was rolled back by recovery meanwhile: this call applies it anew
      if (round === 3) throw new TransientError(`stock movement of order ${orderId} keeps changing hands`);
    }
  }

  /**
   * Gives back what the order's decrease took, once: only an order whose stock was taken gets
   * anything back, and a repeated event (or a second kind of event for the same order) finds the
   * restore already recorded. A decrease still being applied is waited for: its call finishes it,
   * or recovery rolls it back (the event is retried meanwhile, as a transient failure).
   */
  async restore(orderId: string): Promise<void> {
    const decreaseId = movementId('decrease', orderId);
    let decrease = await this.lookup(decreaseId);
    const started = Date.now();
    while (decrease?.state === 'applying' && Date.now() - started < TWIN_WAIT_MS) {
      await sleep(50);
      decrease = await this.lookup(decreaseId);
    }
    if (decrease?.state === 'applying') {
      // its call died or failed: recovery rolls it back once the grace period has passed
      await this.markOpen(decrease);
      throw new TransientError(`the decrease of order ${orderId} is still being applied`);
    }
    if (decrease?.state !== 'applied') {
      this.logger.info({ orderId }, 'no stock was taken for this order: nothing to restore');
      return;
    }
    for (let round = 1; ; round++) {
      const claimed = await this.claim(orderId, 'restore', decrease.items);
      if ('state' in claimed) return this.logger.info({ orderId }, 'stock already restored for this order');
      const outcome = await this.apply(movementId('restore', orderId), claimed.holder, 'complete');
      if (outcome !== 'rolled back') return;
      if (round === 3) throw new TransientError(`stock movement of order ${orderId} keeps changing hands`);
    }
  }

  /**
   * Finishes a movement whose open row outlived its grace period: a decrease still applying is
   * rolled back (its caller was told it failed and may ask again, or its order has ended), a
   * restore is completed (its order has ended), a decision not yet recorded is recorded. Safe to
   * run on any replica, any number of times.
   */
  async recover(id: string): Promise<void> {
    const open = await this.open.findById(id).lean().exec();
    if (!open) return;
    if (open.state) {
      await this.recordDecisions([open]);
      return;
    }
    const kind = open.kind ?? (await this.movements.findById(id).lean().exec())?.kind;
    const mode = kind === 'restore' ? 'complete' : 'rollback';
    this.logger.warn({ movement: id, mode }, 'recovering a stock movement left applying');
    await this.apply(id, { takeOver: true }, mode);
  }

  /**
   * Copies decisions from the open rows to the movements' rows, many at once, and removes those
   * open rows: the locked part only writes the small open row, and FerretDB's update of one row
   * among every movement ever made costs a scan, which one `$in` shares among many.
   */
  async recordDecisions(decided?: OpenMovement[]): Promise<number> {
    const rows =
      decided ??
      (await this.open
        .find({ state: { $exists: true } })
        .limit(500)
        .lean()
        .exec());
    for (const state of ['applied', 'failed'] as const) {
      const ids = rows.filter((r) => r.state === state).map((r) => r._id);
      if (ids.length) await this.movements.updateMany({ _id: { $in: ids } }, { $set: { state } }).exec();
    }
    if (rows.length) await this.open.deleteMany({ _id: { $in: rows.map((r) => r._id) } }).exec();
    return rows.length;
  }

  /** Movements whose open row outlived its grace period, oldest first. */
  async dueForRecovery(limit = 100): Promise<string[]> {
    const due = await this.open
      .find({ checkAfter: { $lte: new Date() } })
      .sort({ checkAfter: 1 })
      .limit(limit)
      .lean()
      .exec();
    return due.map((d) => d._id);
  }

  /**
   * The movement as it stands: its open row while it is applied (a decision there is not yet
   * recorded in its row), else its row.
   */
  private async lookup(id: string): Promise<Movement | undefined> {
    const open = await this.open.findById(id).lean().exec();
    if (open?.orderId && open.kind && open.items && (open.attempt || open.state)) {
      return { _id: id, orderId: open.orderId, kind: open.kind, items: open.items, state: open.state ?? 'applying' };
    }
    return (await this.movements.findById(id).lean().exec()) ?? undefined;
  }

  /**
   * Records that this call applies (orderId, kind), or returns the outcome of the call that did.
   * A twin call still applying is waited for; one still applying after that (it died or failed on
   * a store) is taken over. The row decides who applies; the open row follows.
   */
  private async claim(
    orderId: string,
    kind: MovementKind,
    items: StockItem[],
  ): Promise<{ holder: Holder } | { state: string }> {
    const id = movementId(kind, orderId);
    const create = async (): Promise<{ holder: Holder } | undefined> => {
      const created: Movement = { _id: id, orderId, kind, items, state: 'applying' };
      try {
        await this.movements.create(created);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return undefined;
      }
      const attempt = randomUUID();
      try {
        await this.open.create({ _id: id, orderId, kind, items, attempt, checkAfter: this.checkAfter() });
        return { holder: { created, attempt, at: Date.now() } };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return { holder: { takeOver: true } }; // an open row left from before: sorted out under the lock
      }
    };
    const created = await create();
    if (created) return created;
    const started = Date.now();
    for (;;) {
      const previous = await this.lookup(id);
      if (!previous) {
        const again = await create(); // rolled back meanwhile: applied anew
        if (again) return again;
        continue;
      }
      if (previous.state !== 'applying') return { state: previous.state };
      if (Date.now() - started >= TWIN_WAIT_MS) return { holder: { takeOver: true } };
      await sleep(50);
    }
  }

  /**
   * Under the products' locks: checks who holds the movement (a call taken over changes nothing
   * more), then either completes it (the products it has not changed yet; on a shortage, everything
   * it changed goes back and the decrease fails) or rolls it back (everything it changed goes back
   * and the rows go, so the order may ask again). Each product change carries the movement's mark,
   * so whichever step died before, nothing is applied twice or left behind. The decision is
   * recorded after the locks are released. A call that fails half way (a store away) leaves it
   * open for recovery and fails as transient.
   */
  private async apply(id: string, holder: Holder, mode: 'complete' | 'rollback'): Promise<Outcome> {
    const movement = 'created' in holder ? holder.created : await this.lookup(id);
    if (!movement) {
      await this.open.deleteOne({ _id: id }).exec(); // an open row whose movement never was
      return 'rolled back';
    }
    // every call on one movement takes the same locks: those of its products
    const ids = movement.items.map((i) => i.productId);
    let outcome: Outcome;
    try {
      outcome = await this.locks.withLocks(ids, () => this.applyLocked(movement, holder, mode));
    } catch (error) {
      this.logger.warn({ err: error, movement: id }, 'stock movement not finished: left to a retry or recovery');
      await this.markOpen(movement, Date.now()).catch(() => undefined);
      throw error;
    }
    await this.cache.forget(ids);
    return outcome;
  }

  private async applyLocked(known: Movement, holder: Holder, mode: 'complete' | 'rollback'): Promise<Outcome> {
    const id = known._id;
    let movement = known;
    if ('created' in holder) {
      // a takeover needs TWIN_WAIT_MS or the grace period to pass first: a call this recent holds it
      const recent = Date.now() - holder.at < Math.min(TWIN_WAIT_MS, this.graceMs) / 2;
      const open = recent ? undefined : await this.open.findById(id).lean().exec();
      if (!recent && (open?.attempt !== holder.attempt || open.state)) {
        throw new TransientError(`stock movement ${id} was taken over`);
      }
    } else {
      const open = await this.open.findById(id).lean().exec();
      if (open?.state) return open.state; // decided, its row not written yet
      if (!open?.attempt || !open.items) {
        // no open row of its own (written before they existed, or a crash in between): the row says
        const row = await this.movements.findById(id).lean().exec();
        if (!row) {
          await this.open.deleteOne({ _id: id }).exec();
          return 'rolled back';
        }
        if (row.state !== 'applying') {
          if (row.state === 'applied') this.clearLater(row);
          await this.open.deleteOne({ _id: id }).exec();
          return row.state;
        }
        movement = row;
      }
      const { orderId, kind, items } = movement;
      const taken = { orderId, kind, items, attempt: randomUUID(), checkAfter: this.checkAfter() };
      await this.open.updateOne({ _id: id }, { $set: taken }, { upsert: true }).exec();
      this.logger.warn({ movement: id, mode }, 'took over a stock movement left applying');
    }
    const { items } = movement;
    const mark = markField(id);
    if (mode === 'rollback') {
      await this.revert(mark, await this.markedItems(mark, items));
      await this.movements.deleteOne({ _id: id }).exec();
      await this.open.deleteOne({ _id: id }).exec();
      return 'rolled back';
    }
    const fresh = 'created' in holder;
    let outcome: Outcome = 'applied';
    const changed: StockItem[] = [];
    for (const item of items) {
      const step = await this.step(movement.kind, item, mark, fresh);
      if (step === 'changed') changed.push(item);
      if (step === 'short') {
        // all or nothing: what this call, or the one it took over, changed goes back
        await this.revert(mark, fresh ? changed : await this.markedItems(mark, items));
        outcome = 'failed';
        break;
      }
    }
    // the event first: a crash before the decision still tells order the truth
    if (outcome === 'failed' && movement.kind === 'decrease') await this.stockCheckFailed(movement.orderId);
    // copied to the movement's row later (recordDecisions), and read from here until then
    await this.open.updateOne({ _id: id }, { $set: { state: outcome } }).exec();
    // only once the outcome is decided: until then the marks are what tells what was changed
    if (outcome === 'applied') this.clearLater(movement);
    return outcome;
  }

  /**
   * One product of a movement being completed. A call taking over reads the product first (the
   * call before it may have changed it: its mark says so). A fresh one goes straight to the
   * conditional update while the last quantity this process saw allows it, and reads only when it
   * does not (a refused update costs FerretDB a scan, a read by `_id` little): in a rush this is
   * one update per unit sold and one read per refusal. The hint never decides anything.
   */
  private async step(
    kind: MovementKind,
    { productId, quantity }: StockItem,
    mark: string,
    fresh: boolean,
  ): Promise<'changed' | 'unchanged' | 'short'> {
    if (!isValidObjectId(productId)) return kind === 'restore' ? 'unchanged' : 'short'; // no such product
    const hint = fresh ? this.quantityHints.get(productId) : undefined;
    if (!fresh || (kind === 'decrease' && !(hint !== undefined && hint >= quantity))) {
      const product = await this.products
        .findById(productId)
        .select({ quantity: 1, isDeleted: 1, [mark]: 1 })
        .lean()
        .exec();
      if (isMarked(product, mark)) return 'unchanged'; // changed by the call this one took over
      // a product gone from the catalogue gets nothing back, as before
      if (!product) return kind === 'restore' ? 'unchanged' : 'short';
      this.quantityHints.set(productId, product.quantity);
      if (kind === 'decrease' && (product.isDeleted || product.quantity < quantity)) return 'short';
    }
    const delta = kind === 'decrease' ? -quantity : quantity;
    const guard = kind === 'decrease' ? { isDeleted: false, quantity: { $gte: quantity } } : {};
    if ((await this.change(productId, mark, delta, guard)) !== 1) {
      this.quantityHints.delete(productId);
      return kind === 'restore' ? 'unchanged' : 'short';
    }
    this.adjustHint(productId, delta);
    return 'changed';
  }

  private adjustHint(productId: string, delta: number): void {
    const hint = this.quantityHints.get(productId);
    if (hint !== undefined) this.quantityHints.set(productId, hint + delta);
  }

  /** `quantity += delta` with the movement's mark, and marks of decided movements cleared, in one update. */
  private async change(productId: string, mark: string, delta: number, guard: object): Promise<number> {
    const clear = this.takeClears(productId);
    try {
      const result = await this.products
        .updateOne(
          { _id: productId, ...guard, [mark]: { $exists: false } },
          { $inc: { quantity: delta }, $set: { [mark]: 1 }, ...(clear ? { $unset: clear } : {}) },
        )
        .exec();
      if (result.modifiedCount !== 1 && clear) this.giveBackClears(productId, clear);
      return result.modifiedCount;
    } catch (error) {
      if (clear) this.giveBackClears(productId, clear);
      throw error;
    }
  }

  /** The items whose product carries the mark: those the movement has changed. */
  private async markedItems(mark: string, items: StockItem[]): Promise<StockItem[]> {
    const marked: StockItem[] = [];
    for (const item of items) {
      if (!isValidObjectId(item.productId)) continue;
      const product = await this.products
        .findById(item.productId)
        .select({ [mark]: 1 })
        .lean()
        .exec();
      if (isMarked(product, mark)) marked.push(item);
    }
    return marked;
  }

  /** Gives back what a decrease took from `items` (each product at most once: the mark goes with it). */
  private async revert(mark: string, items: StockItem[]): Promise<void> {
    for (const item of items) {
      const reverted = await this.products
        .updateOne(
          { _id: item.productId, [mark]: { $exists: true } },
          { $inc: { quantity: item.quantity }, $unset: { [mark]: '' } },
        )
        .exec();
      if (reverted.modifiedCount === 1) this.adjustHint(item.productId, item.quantity);
      else this.quantityHints.delete(item.productId);
    }
  }

  /**
   * Marks of decided movements are cleared by the next update of their product (no extra write
   * under the lock), or by `clearMarks` when none comes.
   */
  private clearLater(movement: Pick<Movement, '_id' | 'items'>): void {
    const mark = markField(movement._id);
    for (const { productId } of movement.items) {
      if (!isValidObjectId(productId)) continue;
      this.pendingClears.set(productId, { ...this.pendingClears.get(productId), [mark]: '' });
    }
  }

  private takeClears(productId: string): Record<string, ''> | undefined {
    const pending = this.pendingClears.get(productId);
    this.pendingClears.delete(productId);
    return pending;
  }

  private giveBackClears(productId: string, clear: Record<string, ''>): void {
    this.pendingClears.set(productId, { ...clear, ...this.pendingClears.get(productId) });
  }

  /** Clears the marks still waiting (products no movement changed since), each under its lock. */
  async clearMarks(): Promise<void> {
    for (const productId of [...this.pendingClears.keys()]) {
      await this.locks.withLocks([productId], async () => {
        const clear = this.takeClears(productId);
        if (!clear) return;
        try {
          await this.products.updateOne({ _id: productId }, { $unset: clear }).exec();
        } catch (error) {
          this.giveBackClears(productId, clear);
          throw error;
        }
      });
    }
  }

  /** The order's stock-check-failed, in the outbox (one row per order; its event id drawn once). */
  private async stockCheckFailed(orderId: string): Promise<void> {
    const event: StockCheckFailedEvent = { orderId };
    await this.outbox.enqueue(Topics.STOCK_CHECK_FAILED, event, orderId, `stock-check-failed:${orderId}`);
  }

  /**
   * Leaves the movement to recovery, once the grace period after its last change (or after
   * `from`) has passed; an open row already there (the applying call's own) is left as it is.
   */
  private async markOpen(movement: Movement & { updatedAt?: Date }, from?: number): Promise<void> {
    const since = from ?? (movement.updatedAt ? new Date(movement.updatedAt).getTime() : 0);
    const checkAfter = new Date(Math.max(since + this.graceMs, Date.now()));
    const { _id, orderId, kind, items } = movement;
    await this.open.create({ _id, orderId, kind, items, checkAfter }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }

  private checkAfter(): Date {
    return new Date(Date.now() + this.graceMs);
  }
}

/** Whether the lean product (selected with `mark`) carries it. */
export const isMarked = (product: unknown, mark: string): boolean =>
  mark.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], product) !==
  undefined;

/** Repeated products of one request added up, in first-seen order. */
export function mergeItems(items: StockItem[]): StockItem[] {
  const byId = new Map<string, number>();
  for (const { productId, quantity } of items) byId.set(productId, (byId.get(productId) ?? 0) + quantity);
  return [...byId.entries()].map(([productId, quantity]) => ({ productId, quantity }));
}
