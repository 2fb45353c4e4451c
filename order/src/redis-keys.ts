/**
 * Every Redis key and channel of the order service, in one place: what it holds and its form.
 * Names of the original are kept (stock counters, carts) but for their hash tags: on a Redis
 * Cluster a script may only touch keys of one hash slot, so keys one script changes together
 * share a tag — a product's keys `{<productId>}`, a bucket of shoppers' keys `{shoppers-<n>}`.
 */

/** Shoppers' unpaid sets and the reservation records are spread over this many hash slots. */
export const SHOPPER_BUCKETS = 16;
/** The bucket of a shopper: its unpaid set and the records of its reservations share its slot. */
export const shopperBucket = (userId: number): number => Math.abs(userId) % SHOPPER_BUCKETS;
const shoppers = (bucket: number) => `{shoppers-${bucket}}`;

export const RedisKeys = {
  /** Units of a product still reservable (a counter, created from its stock on first use). */
  stockCounter: (productId: string) => `RESERVED_PRODUCT_STOCK{${productId}}`,
  /** Units a seller took away beyond what was unreserved: releases pay them off before the counter. */
  stockDebt: (productId: string) => `RESERVED_PRODUCT_DEBT{${productId}}`,
  /** A stock change of the product applied (its event id): applying it again changes nothing. */
  stockChangeApplied: (productId: string, eventId: string) => `STOCK_CHANGE_APPLIED:{${productId}}:${eventId}`,
  /** The order took units of the product and has not given them back (while a reservation may be reconciled). */
  reservationHold: (productId: string, orderId: string) => `RESERVATION_HOLD:{${productId}}:${orderId}`,
  /** The order gave the product's units back: giving them back again, or taking them, changes nothing. */
  reservationReleased: (productId: string, orderId: string) => `RESERVATION_RELEASED:{${productId}}:${orderId}`,
  /** Units of a limited product one shopper holds (orders that did not end without a sale). */
  shopperUnits: (productId: string, userId: number) => `PURCHASE_UNITS:{${productId}}:${userId}`,
  /** The shopper's orders awaiting payment: order id → payment deadline (epoch ms), a zset. */
  unpaidOrders: (userId: number) => `UNPAID_ORDERS:${shoppers(shopperBucket(userId))}:${userId}`,
  /**
   * Every reservation of a bucket of shoppers, by order id: scored by the time it was made (zset)
   * with what it holds (hash), so one whose order row never came (the process died in between)
   * can be given back.
   */
  reservationTimes: (bucket: number) => `RESERVATIONS:${shoppers(bucket)}`,
  reservationItems: (bucket: number) => `RESERVATION_ITEMS:${shoppers(bucket)}`,
  /** Held by the one replica reconciling reservations at a time. */
  reconcilerLock: 'RESERVATION_RECONCILER_LOCK',
  /** A shopper's cart: productId → quantity (a hash). */
  cart: (userId: number) => `carts:${userId}`,
  /** The answer to an order sent with an Idempotency-Key, kept for its retries. */
  idempotency: (userId: number, idempotencyKey: string) => `IDEMPOTENCY:${userId}:${idempotencyKey}`,
  /** Pub/sub: a product was restocked (its id), so every replica closes the product's breaker. */
  restockedChannel: 'order:restocked',
} as const;
