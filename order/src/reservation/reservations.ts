import { Inject, Injectable } from '@nestjs/common';
import { loadScript, LOGGER, OutboxHandlers, REDIS } from '@runrun/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Order } from '../order/order.entity';
import { OrderRepository } from '../order/order.repository';
import { RedisKeys } from '../redis-keys';
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

/** Why an order could not be reserved. */
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

/** The scripts, each in its own file beside this one: what they do, their KEYS and ARGV. */
const RESERVE = loadScript(__dirname, 'reserve.lua');
const RELEASE = loadScript(__dirname, 'release.lua');
const ADJUST = loadScript(__dirname, 'adjust.lua');

type ReservationRedis = Redis & {
  reserveStock(...args: (string | number)[]): Promise<[number, number, number?]>;
  releaseStock(...args: (string | number)[]): Promise<number>;
  adjustStock(...args: (string | number)[]): Promise<number>;
};

/**
 * Stock reserved at order time, with the per-shopper rules of a sale (units per product, unpaid
 * orders at once), in Redis (the order service's own Redis).
 */
@Injectable()
export class Reservations {
  private readonly redis: ReservationRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    handlers: OutboxHandlers,
    private readonly orders: OrderRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly availability: ProductAvailability,
  ) {
    redis.defineCommand('reserveStock', { lua: RESERVE });
    redis.defineCommand('releaseStock', { lua: RELEASE });
    redis.defineCommand('adjustStock', { lua: ADJUST });
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
    const { items, userId } = request;
    const keys = [
      ...items.map((i) => RedisKeys.stockCounter(i.productId)),
      ...items.map((i) => RedisKeys.shopperUnits(i.productId, userId)),
      RedisKeys.unpaidOrders(userId),
      RedisKeys.reservationTimes,
      RedisKeys.reservationItems,
    ];
    const args = [
      items.length,
      ...items.map((i) => i.quantity),
      ...items.map((i) => Math.max(0, initialStock(i.productId))),
      ...items.map((i) => (i.perShopper ? Math.max(1, limit(i.productId)) : 0)),
      request.now,
      request.paymentDeadline,
      request.maxUnpaid,
      request.orderId,
      SHOPPER_UNITS_TTL_SECONDS,
      JSON.stringify({ userId, items }),
    ];
    const [reason, index, left] = await this.redis.reserveStock(keys.length, ...keys, ...args);
    if (reason === 0) return undefined;
    if (reason === 3) return { reason: 'unpaid' };
    const productId = items[index - 1].productId;
    return reason === 1 ? { reason: 'stock', productId, left: Number(left) } : { reason: 'limit', productId };
  }

  /**
   * True when this call gave the reservation back, false when it had been given back before.
   * Without the shopper (a payload from before they were recorded) only the stock comes back.
   */
  async release(orderId: string, items: ReservedItem[], userId?: number): Promise<boolean> {
    const shopper = userId !== undefined;
    const keys = [
      RedisKeys.reservationReleased(orderId),
      ...items.map((i) => RedisKeys.stockCounter(i.productId)),
      ...items.map((i) => RedisKeys.stockDebt(i.productId)),
      ...(shopper
        ? [...items.map((i) => RedisKeys.shopperUnits(i.productId, userId)), RedisKeys.unpaidOrders(userId)]
        : []),
    ];
    const args = [
      items.length,
      shopper ? 1 : 0,
      orderId,
      ...items.map((i) => i.quantity),
      ...items.map((i) => (i.perShopper ? 1 : 0)),
      RELEASED_MARKER_TTL_SECONDS,
    ];
    const released = (await this.redis.releaseStock(keys.length, ...keys, ...args)) === 1;
    if (released) this.availability.available(items.map((i) => i.productId));
    return released;
  }

  /** Reservations made before `before` (epoch ms) still recorded, oldest first. */
  async recordedBefore(before: number, limit: number): Promise<ReleasePayload[]> {
    const orderIds = await this.redis.zrangebyscore(RedisKeys.reservationTimes, '-inf', before, 'LIMIT', 0, limit);
    if (!orderIds.length) return [];
    const records = await this.redis.hmget(RedisKeys.reservationItems, ...orderIds);
    return orderIds.map((orderId, i) => {
      const record = records[i] ? (JSON.parse(records[i]) as Omit<ReleasePayload, 'orderId'>) : undefined;
      // a record without its items (cannot happen: written together) is only dropped
      return { orderId, userId: record?.userId, items: record?.items ?? [] };
    });
  }

  /** The reservations are settled (their order row exists, or they were given back). */
  async forget(orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    await this.redis
      .multi()
      .zrem(RedisKeys.reservationTimes, ...orderIds)
      .hdel(RedisKeys.reservationItems, ...orderIds)
      .exec();
  }

  /**
   * Units still for sale per product (counter minus debt); products whose counter does not exist
   * yet (never ordered since the counters were created) are left out.
   */
  async remaining(productIds: string[]): Promise<Map<string, number>> {
    if (!productIds.length) return new Map();
    const values = await this.redis.mget(
      ...productIds.map(RedisKeys.stockCounter),
      ...productIds.map(RedisKeys.stockDebt),
    );
    const left = new Map<string, number>();
    productIds.forEach((id, i) => {
      const counter = values[i];
      if (counter !== null) left.set(id, Number(counter) - Number(values[productIds.length + i] ?? 0));
    });
    return left;
  }

  /** Applies a seller's stock change (event `eventId`) once; false when it had been applied. */
  async adjust(productId: string, delta: number, eventId: string): Promise<boolean> {
    const keys = [
      RedisKeys.stockCounter(productId),
      RedisKeys.stockDebt(productId),
      RedisKeys.stockChangeApplied(eventId),
    ];
    return (await this.redis.adjustStock(keys.length, ...keys, delta, RELEASED_MARKER_TTL_SECONDS)) === 1;
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
