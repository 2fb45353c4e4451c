import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@runrun/common';
import { OutboxHandlers } from '@runrun/mysql';
import type Redis from 'ioredis';

/** Outbox topic carried out in process: give an order's reservation back (payload: orderId, items). */
export const RESERVATION_RELEASE = 'reservation-release';

export interface ReservedItem {
  productId: string;
  quantity: number;
}

const counterKey = (productId: string) => `RESERVED_PRODUCT_STOCK${productId}`;
const releasedKey = (orderId: string) => `RESERVATION_RELEASED:${orderId}`;
const RELEASED_MARKER_TTL_SECONDS = 30 * 24 * 3600;

/**
 * All or nothing in one round trip: each counter is created from the product's stock on first use
 * (and never expires: D19), then either every product has enough and all are decreased, or
 * nothing changes and the 1-based index of the first short product comes back.
 * KEYS: counters; ARGV: n, quantities…, initial stocks…
 */
const RESERVE = `
local n = tonumber(ARGV[1])
for i = 1, n do
  local left = redis.call('GET', KEYS[i])
  if not left then
    left = ARGV[1 + n + i]
    redis.call('SET', KEYS[i], left)
  end
  if tonumber(left) < tonumber(ARGV[1 + i]) then return i end
end
for i = 1, n do redis.call('DECRBY', KEYS[i], ARGV[1 + i]) end
return 0`;

/**
 * Gives an order's reservation back exactly once: the order's marker is set first, so a second
 * release (another replica, a replayed event, the cron running twice) changes nothing. Counters
 * that do not exist are left alone (they start from the product's stock when next used).
 * KEYS: marker, counters…; ARGV: quantities…
 */
const RELEASE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ${RELEASED_MARKER_TTL_SECONDS}) then return 0 end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i - 1]) end
end
return 1`;

type ReservationRedis = Redis & {
  reserveStock(...args: (string | number)[]): Promise<number>;
  releaseStock(...args: (string | number)[]): Promise<number>;
};

/** Stock reserved at order time, in Redis (the order service's own Redis). */
@Injectable()
export class Reservations {
  private readonly redis: ReservationRedis;

  constructor(@Inject(REDIS) redis: Redis, handlers: OutboxHandlers) {
    redis.defineCommand('reserveStock', { lua: RESERVE });
    redis.defineCommand('releaseStock', { lua: RELEASE });
    this.redis = redis as ReservationRedis;
    handlers.register(RESERVATION_RELEASE, async (payload) => {
      const { orderId, items } = payload as { orderId: string; items: ReservedItem[] };
      await this.release(orderId, items);
    });
  }

  /** Undefined when reserved; otherwise the product that is short. */
  async reserve(items: ReservedItem[], initialStock: (productId: string) => number): Promise<string | undefined> {
    const keys = items.map((i) => counterKey(i.productId));
    const args = [
      items.length,
      ...items.map((i) => i.quantity),
      ...items.map((i) => Math.max(0, initialStock(i.productId))),
    ];
    const short = await this.redis.reserveStock(keys.length, ...keys, ...args);
    return short === 0 ? undefined : items[short - 1].productId;
  }

  /** True when this call gave the reservation back, false when it had been given back before. */
  async release(orderId: string, items: ReservedItem[]): Promise<boolean> {
    const keys = [releasedKey(orderId), ...items.map((i) => counterKey(i.productId))];
    return (await this.redis.releaseStock(keys.length, ...keys, ...items.map((i) => i.quantity))) === 1;
  }
}
