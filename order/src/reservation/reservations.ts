import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, REDIS } from '@runrun/common';
import { OutboxHandlers } from '@runrun/mysql';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { Order } from '../order/order.entity';

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
export type Refusal = { reason: 'stock' | 'limit'; productId: string } | { reason: 'unpaid' };

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

const counterKey = (productId: string) => `RESERVED_PRODUCT_STOCK${productId}`;
/** Units a seller took away beyond what was unreserved: releases pay them off before the counter. */
const debtKey = (productId: string) => `RESERVED_PRODUCT_DEBT${productId}`;
/** A stock change applied (its event id): applying it again changes nothing. */
const changeAppliedKey = (eventId: string) => `STOCK_CHANGE_APPLIED:${eventId}`;
const releasedKey = (orderId: string) => `RESERVATION_RELEASED:${orderId}`;
/** Units of a limited product one shopper holds (orders that did not end without a sale). */
const shopperUnitsKey = (productId: string, userId: number) => `PURCHASE_UNITS:${productId}:${userId}`;
/** The shopper's orders awaiting payment: order id → payment deadline (epoch ms). */
const unpaidKey = (userId: number) => `UNPAID_ORDERS:${userId}`;
/**
 * Every reservation, by order id: scored by the time it was made (zset) with what it holds (hash),
 * so one whose order row never came (the process died in between) can be given back.
 */
const RECORDS_KEY = 'RESERVATIONS';
const RECORD_ITEMS_KEY = 'RESERVATION_ITEMS';
const RELEASED_MARKER_TTL_SECONDS = 30 * 24 * 3600;
/** A shopper's units of a limited product are forgotten 30 days after their last order of it. */
const SHOPPER_UNITS_TTL_SECONDS = 30 * 24 * 3600;

/**
 * All or nothing in one round trip, so concurrent orders (one shopper's included) cannot slip
 * between a check and its change:
 * 1. each stock counter is created from the product's stock on first use (never expiring: D19)
 *    and must cover the quantity;
 * 2. for a product with a purchase limit, the shopper's units of it plus the quantity must stay
 *    within the limit;
 * 3. the shopper's unpaid orders (expired ones dropped first) must stay under the cap;
 * then every counter changes and the order joins the shopper's unpaid set; otherwise nothing
 * changes and {reason, index} comes back: 1 stock, 2 limit (1-based item), 3 unpaid cap.
 * The reservation is recorded (time and what it holds) for the reconciler.
 * KEYS: n stock counters, n shopper counters, the shopper's unpaid set, records zset, records hash
 * ARGV: n, quantities…, initial stocks…, limits… (0 = none), now, deadline, cap, orderId, units TTL,
 *       record (JSON: userId, items)
 */
const RESERVE = `
local n = tonumber(ARGV[1])
local now = ARGV[2 + 3 * n]
local deadline = ARGV[3 + 3 * n]
local cap = tonumber(ARGV[4 + 3 * n])
local orderId = ARGV[5 + 3 * n]
local unitsTtl = ARGV[6 + 3 * n]
for i = 1, n do
  local want = tonumber(ARGV[1 + i])
  local left = redis.call('GET', KEYS[i])
  if not left then
    left = ARGV[1 + n + i]
    redis.call('SET', KEYS[i], left)
  end
  if tonumber(left) < want then return {1, i} end
  local limit = tonumber(ARGV[1 + 2 * n + i])
  if limit > 0 and tonumber(redis.call('GET', KEYS[n + i]) or '0') + want > limit then return {2, i} end
end
local unpaid = KEYS[2 * n + 1]
redis.call('ZREMRANGEBYSCORE', unpaid, '-inf', now)
if cap > 0 and redis.call('ZCARD', unpaid) >= cap then return {3, 0} end
for i = 1, n do
  redis.call('DECRBY', KEYS[i], ARGV[1 + i])
  if tonumber(ARGV[1 + 2 * n + i]) > 0 then
    redis.call('INCRBY', KEYS[n + i], ARGV[1 + i])
    redis.call('EXPIRE', KEYS[n + i], unitsTtl)
  end
end
redis.call('ZADD', unpaid, deadline, orderId)
local last = redis.call('ZRANGE', unpaid, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', unpaid, last[2])
redis.call('ZADD', KEYS[2 * n + 2], now, orderId)
redis.call('HSET', KEYS[2 * n + 3], orderId, ARGV[7 + 3 * n])
return {0, 0}`;

/**
 * Gives an order's reservation back exactly once: the order's marker is set first, so a second
 * release (another replica, a replayed event, the cron running twice) changes nothing. Stock
 * counters that do not exist are left alone (they start from the product's stock when next used);
 * a product's debt (a seller's reduction below what was reserved) is paid off before its counter
 * grows; the shopper's counters are given back for the lines that counted on them, and deleted at
 * zero. Leaving the unpaid set is idempotent and happens on every call.
 * KEYS: marker, n stock counters, n debts, [n shopper counters, unpaid set] (when the shopper is known)
 * ARGV: n, shopper known (1/0), orderId, quantities…, per-shopper flags (1/0)…
 */
const RELEASE = `
local n = tonumber(ARGV[1])
local shopper = ARGV[2] == '1'
if shopper then redis.call('ZREM', KEYS[2 + 3 * n], ARGV[3]) end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ${RELEASED_MARKER_TTL_SECONDS}) then return 0 end
for i = 1, n do
  local q = tonumber(ARGV[3 + i])
  if redis.call('EXISTS', KEYS[1 + i]) == 1 then
    local debt = tonumber(redis.call('GET', KEYS[1 + n + i]) or '0')
    local paid = math.min(debt, q)
    if paid > 0 then
      if debt - paid > 0 then redis.call('SET', KEYS[1 + n + i], debt - paid) else redis.call('DEL', KEYS[1 + n + i]) end
    end
    if q - paid > 0 then redis.call('INCRBY', KEYS[1 + i], q - paid) end
  end
  if shopper and ARGV[3 + n + i] == '1' and redis.call('EXISTS', KEYS[1 + 2 * n + i]) == 1 then
    if redis.call('DECRBY', KEYS[1 + 2 * n + i], q) <= 0 then redis.call('DEL', KEYS[1 + 2 * n + i]) end
  end
end
return 1`;

/**
 * A seller's stock change, applied once per event as a difference (so reservations made meanwhile
 * stay counted). A counter not created yet is left alone: it starts from the product's stock,
 * which already holds the change. A reduction below what is unreserved clamps the counter at zero
 * and keeps the rest as the product's debt (orders still pending hold those units; releases pay
 * the debt first, a later restock too), so counter - debt stays stock minus pending reservations.
 * KEYS: counter, debt, applied marker. ARGV: delta, marker TTL. Returns 0 already applied, 1 applied.
 */
const ADJUST = `
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local d = tonumber(ARGV[1])
local debt = tonumber(redis.call('GET', KEYS[2]) or '0')
if d > 0 and debt > 0 then
  local paid = math.min(debt, d)
  debt = debt - paid
  d = d - paid
end
local left = tonumber(redis.call('GET', KEYS[1])) + d
if left < 0 then
  debt = debt - left
  left = 0
end
redis.call('SET', KEYS[1], left)
if debt > 0 then redis.call('SET', KEYS[2], debt) else redis.call('DEL', KEYS[2]) end
return 1`;

type ReservationRedis = Redis & {
  reserveStock(...args: (string | number)[]): Promise<[number, number]>;
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
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
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
      await this.redis.zrem(unpaidKey(userId), orderId);
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
      ...items.map((i) => counterKey(i.productId)),
      ...items.map((i) => shopperUnitsKey(i.productId, userId)),
      unpaidKey(userId),
      RECORDS_KEY,
      RECORD_ITEMS_KEY,
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
    const [reason, index] = await this.redis.reserveStock(keys.length, ...keys, ...args);
    if (reason === 0) return undefined;
    if (reason === 3) return { reason: 'unpaid' };
    return { reason: reason === 1 ? 'stock' : 'limit', productId: items[index - 1].productId };
  }

  /**
   * True when this call gave the reservation back, false when it had been given back before.
   * Without the shopper (a payload from before they were recorded) only the stock comes back.
   */
  async release(orderId: string, items: ReservedItem[], userId?: number): Promise<boolean> {
    const shopper = userId !== undefined;
    const keys = [
      releasedKey(orderId),
      ...items.map((i) => counterKey(i.productId)),
      ...items.map((i) => debtKey(i.productId)),
      ...(shopper ? [...items.map((i) => shopperUnitsKey(i.productId, userId)), unpaidKey(userId)] : []),
    ];
    const args = [
      items.length,
      shopper ? 1 : 0,
      orderId,
      ...items.map((i) => i.quantity),
      ...items.map((i) => (i.perShopper ? 1 : 0)),
    ];
    return (await this.redis.releaseStock(keys.length, ...keys, ...args)) === 1;
  }

  /** Reservations made before `before` (epoch ms) still recorded, oldest first. */
  async recordedBefore(before: number, limit: number): Promise<ReleasePayload[]> {
    const orderIds = await this.redis.zrangebyscore(RECORDS_KEY, '-inf', before, 'LIMIT', 0, limit);
    if (!orderIds.length) return [];
    const records = await this.redis.hmget(RECORD_ITEMS_KEY, ...orderIds);
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
      .zrem(RECORDS_KEY, ...orderIds)
      .hdel(RECORD_ITEMS_KEY, ...orderIds)
      .exec();
  }

  /**
   * Units still for sale per product (counter minus debt); products whose counter does not exist
   * yet (never ordered since the counters were created) are left out.
   */
  async remaining(productIds: string[]): Promise<Map<string, number>> {
    if (!productIds.length) return new Map();
    const values = await this.redis.mget(...productIds.map(counterKey), ...productIds.map(debtKey));
    const left = new Map<string, number>();
    productIds.forEach((id, i) => {
      const counter = values[i];
      if (counter !== null) left.set(id, Number(counter) - Number(values[productIds.length + i] ?? 0));
    });
    return left;
  }

  /** Applies a seller's stock change (event `eventId`) once; false when it had been applied. */
  async adjust(productId: string, delta: number, eventId: string): Promise<boolean> {
    const keys = [counterKey(productId), debtKey(productId), changeAppliedKey(eventId)];
    return (await this.redis.adjustStock(keys.length, ...keys, delta, RELEASED_MARKER_TTL_SECONDS)) === 1;
  }

  /** An old payload (no userId) is completed from the order row; without a row, stock only. */
  private async complete(payload: ReleasePayload): Promise<ReleasePayload> {
    if (typeof payload.userId === 'number') return payload;
    const order = await this.dataSource.getRepository(Order).findOneBy({ orderId: payload.orderId });
    if (!order) {
      this.logger.warn({ orderId: payload.orderId }, 'release without its order: giving back the stock only');
      return payload;
    }
    return { orderId: payload.orderId, userId: Number(order.userId), items: reservedItems(order) };
  }
}
