import { Inject, Injectable } from '@nestjs/common';
import { loadScript, LOGGER, OutboxHandlers, REDIS, RedisClient } from '@runrun/common';
import type { Logger } from 'pino';
import type { Order } from '../order/order.entity';
import { OrderRepository } from '../order/order.repository';
import { RedisKeys, shopperBucket } from '../redis-keys';
import { ProductAvailability } from '../availability/product-availability';

/**
 * Outbox topic carried out in process: give an order's reservation back (payload: orderId,
 * userId, items). Payloads written before userId was added carry only orderId and items.
 */
export const RESERVATION_RELEASE = 'reservation-release';
/** Outbox topic carried out in process: an order left PAYMENT_PENDING without a release (paid). */
export const UNPAID_SETTLED = 'unpaid-settled';

export interface ReservedItem {
  productId: string;
  quantity: number;
  /** The product had a purchase limit when ordered: these units count on the shopper's counter. */
  perShopper?: boolean;
}

export interface ReleasePayload {
  orderId: string;
  /** Absent in payloads written before the per-shopper counters existed. */
  userId?: number;
  items: ReservedItem[];
}

/** Why a reservation was refused; for stock, the units that were left (0: sold out). */
export type Refusal =
  { reason: 'stock'; productId: string; left: number } | { reason: 'limit'; productId: string } | { reason: 'unpaid' };

export interface ReservationRequest {
  orderId: string;
  userId: number;
  items: ReservedItem[];
  /** Epoch ms, the clock the deadline was computed from. */
  now: number;
  /** Epoch ms until which the order may be paid. */
  paymentDeadline: number;
  /** PAYMENT_PENDING orders the shopper may have at once; 0 = no cap. */
  maxUnpaid: number;
}

/** The lines of an order as reserved (what a release gives back). */
export const reservedItems = (order: Pick<Order, 'products'>): ReservedItem[] =>
  Object.entries(order.products).map(([productId, p]) => ({
    productId,
    quantity: p.quantity,
    ...(p.perShopper ? { perShopper: true } : {}),
  }));

const RELEASED_MARKER_TTL_SECONDS = 30 * 24 * 3600;
/** A shopper's units of a limited product are forgotten 30 days after their last order of it. */
const SHOPPER_UNITS_TTL_SECONDS = 30 * 24 * 3600;
/**
 * How long a hold says which products a reservation took: only a release that does not know
 * (the reconciler, after RESERVATION_GRACE_SECONDS) reads it; an order row's own release knows
 * its reservation was whole.
 */
const HOLD_TTL_SECONDS = 7 * 24 * 3600;

/** The scripts, each in its own file beside this one: what they do, their KEYS and ARGV. */
const RESERVE_SHOPPER = loadScript(__dirname, 'reserve-shopper.lua');
const RESERVE_PRODUCT = loadScript(__dirname, 'reserve-product.lua');
const RELEASE_PRODUCT = loadScript(__dirname, 'release-product.lua');
const ADJUST = loadScript(__dirname, 'adjust.lua');
const RESERVE_TOGETHER = [
  `local function shopper(KEYS, ARGV)\n${RESERVE_SHOPPER}\nend`,
  `local function product(KEYS, ARGV)\n${RESERVE_PRODUCT}\nend`,
  loadScript(__dirname, 'reserve-together.lua'),
].join('\n');

type ReservationRedis = RedisClient & {
  reserveShopper(...args: (string | number)[]): Promise<number>;
  reserveProduct(...args: (string | number)[]): Promise<[number, number?]>;
  reserveTogether(...args: (string | number)[]): Promise<[number, number?]>;
  releaseProduct(...args: (string | number)[]): Promise<number>;
  releaseProductCounted(...args: (string | number)[]): Promise<number>;
  adjustStock(...args: (string | number)[]): Promise<number>;
};

/**
 * Stock reserved at order time, with the per-shopper rules of a sale (units per product, unpaid
 * orders at once), in Redis (the order service's own Redis, a single one or a cluster).
 *
 * Every script touches one hash slot, so a reservation is taken in steps: the shopper's (the
 * unpaid cap, and a record of the reservation), then each product's (stock and the shopper's
 * limit). A step that refuses gives back what the steps before it took, so an order takes every
 * product or none: the products are taken in the order of their ids, so two orders competing for
 * the last units of the same products do not each take one and both fail. A process that dies
 * between steps leaves the record, which the reconciler releases (only the products held). On a
 * single Redis, where every key is on one server, a one-product order (the flash sale's) takes
 * both its steps in one call (reserve-together.lua): one round trip instead of two.
 */
@Injectable()
export class Reservations {
  private readonly redis: ReservationRedis;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    handlers: OutboxHandlers,
    private readonly orders: OrderRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly availability: ProductAvailability,
  ) {
    redis.defineCommand('reserveShopper', { numberOfKeys: 3, lua: RESERVE_SHOPPER });
    redis.defineCommand('reserveProduct', { numberOfKeys: 4, lua: RESERVE_PRODUCT });
    redis.defineCommand('reserveTogether', { numberOfKeys: 7, lua: RESERVE_TOGETHER });
    // one script, two fixed key counts (with the shopper's units or not): a command's first
    // argument is then always a key, which a cluster client's auto-pipelining groups by
    redis.defineCommand('releaseProduct', { numberOfKeys: 4, lua: RELEASE_PRODUCT });
    redis.defineCommand('releaseProductCounted', { numberOfKeys: 5, lua: RELEASE_PRODUCT });
    redis.defineCommand('adjustStock', { numberOfKeys: 3, lua: ADJUST });
    this.redis = redis as ReservationRedis;
    handlers.register(RESERVATION_RELEASE, async (payload) => {
      const release = await this.complete(payload as ReleasePayload);
      await this.release(release.orderId, release.items, release.userId);
    });
    handlers.register(UNPAID_SETTLED, async (payload) => {
      const { orderId, userId } = payload as { orderId: string; userId: number };
      await this.redis.zrem(RedisKeys.unpaidOrders(userId), orderId);
    });
  }

  /**
   * Undefined when reserved; otherwise why not. `initialStock` seeds a product's counter on first
   * use; `limit` is the product's purchase limit now (0 = none): the shopper's counter holds the
   * units of their live orders, whatever the limit was when those were placed.
   */
  async reserve(
    request: ReservationRequest,
    initialStock: (productId: string) => number,
    limit: (productId: string) => number,
  ): Promise<Refusal | undefined> {
    const { orderId, items, userId } = request;
    const bucket = shopperBucket(userId);
    const shopperStep = {
      keys: [RedisKeys.unpaidOrders(userId), RedisKeys.reservationTimes(bucket), RedisKeys.reservationItems(bucket)],
      args: [request.now, request.paymentDeadline, request.maxUnpaid, orderId, JSON.stringify({ userId, items })],
    };
    const productStep = ({ productId, quantity, perShopper }: ReservedItem) => ({
      keys: [
        RedisKeys.stockCounter(productId),
        RedisKeys.shopperUnits(productId, userId),
        RedisKeys.reservationHold(productId, orderId),
        RedisKeys.reservationReleased(productId, orderId),
      ],
      args: [
        quantity,
        Math.max(0, initialStock(productId)),
        perShopper ? Math.max(1, limit(productId)) : 0,
        SHOPPER_UNITS_TTL_SECONDS,
        HOLD_TTL_SECONDS,
      ],
    });
    // the hot case, one product on a single Redis: both steps in one round trip
    const together = items.length === 1 && !this.redis.isCluster;
    if (!together && (await this.redis.reserveShopper(...shopperStep.keys, ...shopperStep.args)) !== 1) {
      return { reason: 'unpaid' };
    }

    const ordered = [...items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    const tried: ReservedItem[] = [];
    let refusal: Refusal | undefined;
    try {
      for (const item of ordered) {
        const { productId } = item;
        tried.push(item);
        const product = productStep(item);
        const [reason, left] = together
          ? await this.redis.reserveTogether(...shopperStep.keys, ...product.keys, ...shopperStep.args, ...product.args)
          : await this.redis.reserveProduct(...product.keys, ...product.args);
        if (reason === -1) return { reason: 'unpaid' }; // nothing taken
        if (reason === 0) continue;
        if (reason === 3) throw new Error(`reservation ${orderId} was given back while it was taken`);
        refusal = reason === 1 ? { reason: 'stock', productId, left: Number(left) } : { reason: 'limit', productId };
        break;
      }
    } catch (error) {
      // what this reservation took (or may have: the failed step) goes back; if Redis is away
      // for that too, the record stays and the reconciler gives it back
      await this.undo(orderId, userId, tried).catch((err: unknown) =>
        this.logger.warn({ err, orderId }, 'reservation not undone; the reconciler gives it back'),
      );
      throw error;
    }
    if (refusal) await this.undo(orderId, userId, tried);
    return refusal;
  }

  /** Gives back the products a refused (or failed) reservation held, then its shopper's step. */
  private async undo(orderId: string, userId: number, tried: ReservedItem[]): Promise<void> {
    const given = await Promise.all(tried.map((item) => this.releaseProduct(orderId, item, userId, true)));
    // a concurrent order may have seen these units gone: the gateways may take its orders again
    const back = tried.filter((_, i) => given[i]).map((item) => item.productId);
    if (back.length) this.availability.available(back);
    const bucket = shopperBucket(userId);
    await this.redis
      .multi()
      .zrem(RedisKeys.unpaidOrders(userId), orderId)
      .zrem(RedisKeys.reservationTimes(bucket), orderId)
      .hdel(RedisKeys.reservationItems(bucket), orderId)
      .exec();
  }

  /**
   * True when this call gave the reservation back (some of its products), false when it had been
   * given back before. Without the shopper (a payload from before they were recorded) only the
   * stock comes back. `onlyHeld`: the reservation may not have reached every product (the
   * reconciler's case), so only the products it holds come back.
   */
  async release(orderId: string, items: ReservedItem[], userId?: number, onlyHeld = false): Promise<boolean> {
    // leaving the unpaid set is idempotent and happens on every call
    if (userId !== undefined) await this.redis.zrem(RedisKeys.unpaidOrders(userId), orderId);
    const given = await Promise.all(items.map((item) => this.releaseProduct(orderId, item, userId, onlyHeld)));
    const released = given.some(Boolean);
    if (released) this.availability.available(items.map((i) => i.productId));
    return released;
  }

  private async releaseProduct(orderId: string, item: ReservedItem, userId: number | undefined, onlyHeld: boolean) {
    const { productId } = item;
    const keys = [
      RedisKeys.reservationReleased(productId, orderId),
      RedisKeys.reservationHold(productId, orderId),
      RedisKeys.stockCounter(productId),
      RedisKeys.stockDebt(productId),
    ];
    const args = [item.quantity, onlyHeld ? 1 : 0, RELEASED_MARKER_TTL_SECONDS];
    const given =
      userId !== undefined && item.perShopper
        ? await this.redis.releaseProductCounted(...keys, RedisKeys.shopperUnits(productId, userId), ...args)
        : await this.redis.releaseProduct(...keys, ...args);
    return given === 1;
  }

  /** Reservations of a bucket of shoppers made before `before` (epoch ms) still recorded, oldest first. */
  async recordedBefore(bucket: number, before: number, limit: number): Promise<ReleasePayload[]> {
    const orderIds = await this.redis.zrangebyscore(
      RedisKeys.reservationTimes(bucket),
      '-inf',
      before,
      'LIMIT',
      0,
      limit,
    );
    if (!orderIds.length) return [];
    const records = await this.redis.hmget(RedisKeys.reservationItems(bucket), ...orderIds);
    return orderIds.map((orderId, i) => {
      const record = records[i] ? (JSON.parse(records[i]) as Omit<ReleasePayload, 'orderId'>) : undefined;
      // a record without its items (cannot happen: written together) is only dropped
      return { orderId, userId: record?.userId, items: record?.items ?? [] };
    });
  }

  /** The reservations of a bucket are settled (their order row exists, or they were given back). */
  async forget(bucket: number, orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    await this.redis
      .multi()
      .zrem(RedisKeys.reservationTimes(bucket), ...orderIds)
      .hdel(RedisKeys.reservationItems(bucket), ...orderIds)
      .exec();
  }

  /**
   * Units still for sale per product (counter minus debt); products whose counter does not exist
   * yet (never ordered since the counters were created) are left out. One MGET per product: a
   * product's keys share its slot.
   */
  async remaining(productIds: string[]): Promise<Map<string, number>> {
    const values = await Promise.all(
      productIds.map((id) => this.redis.mget(RedisKeys.stockCounter(id), RedisKeys.stockDebt(id))),
    );
    const left = new Map<string, number>();
    productIds.forEach((id, i) => {
      const [counter, debt] = values[i];
      if (counter !== null) left.set(id, Number(counter) - Number(debt ?? 0));
    });
    return left;
  }

  /** Applies a seller's stock change (event `eventId`) once; false when it had been applied. */
  async adjust(productId: string, delta: number, eventId: string): Promise<boolean> {
    const applied = await this.redis.adjustStock(
      RedisKeys.stockCounter(productId),
      RedisKeys.stockDebt(productId),
      RedisKeys.stockChangeApplied(productId, eventId),
      delta,
      RELEASED_MARKER_TTL_SECONDS,
    );
    return applied === 1;
  }

  /** An old payload (no userId) is completed from the order row; without a row, stock only. */
  private async complete(payload: ReleasePayload): Promise<ReleasePayload> {
    if (typeof payload.userId === 'number') return payload;
    const order = await this.orders.byOrderId(payload.orderId);
    if (!order) {
      this.logger.warn({ orderId: payload.orderId }, 'release without its order: giving back the stock only');
      return payload;
    }
    return { orderId: payload.orderId, userId: Number(order.userId), items: reservedItems(order) };
  }
}
