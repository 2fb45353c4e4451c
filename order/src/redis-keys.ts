/**
 * Every Redis key and channel of the order service, in one place: what it holds and its form.
 * Names of the original are kept as they were (stock counters, carts).
 */
export const RedisKeys = {
  /** Units of a product still reservable (a counter, created from its stock on first use). */
  stockCounter: (productId: string) => `RESERVED_PRODUCT_STOCK${productId}`,
  /** Units a seller took away beyond what was unreserved: releases pay them off before the counter. */
  stockDebt: (productId: string) => `RESERVED_PRODUCT_DEBT${productId}`,
  /** A stock change applied (its event id): applying it again changes nothing. */
  stockChangeApplied: (eventId: string) => `STOCK_CHANGE_APPLIED:${eventId}`,
  /** An order's reservation was given back: giving it back again changes nothing. */
  reservationReleased: (orderId: string) => `RESERVATION_RELEASED:${orderId}`,
  /** Units of a limited product one shopper holds (orders that did not end without a sale). */
  shopperUnits: (productId: string, userId: number) => `PURCHASE_UNITS:${productId}:${userId}`,
  /** The shopper's orders awaiting payment: order id → payment deadline (epoch ms), a zset. */
  unpaidOrders: (userId: number) => `UNPAID_ORDERS:${userId}`,
  /**
   * Every reservation, by order id: scored by the time it was made (zset) with what it holds
   * (hash), so one whose order row never came (the process died in between) can be given back.
   */
  reservationTimes: 'RESERVATIONS',
  reservationItems: 'RESERVATION_ITEMS',
  /** Held by the one replica reconciling reservations at a time. */
  reconcilerLock: 'RESERVATION_RECONCILER_LOCK',
  /** A shopper's cart: productId → quantity (a hash). */
  cart: (userId: number) => `carts:${userId}`,
  /** The answer to an order sent with an Idempotency-Key, kept for its retries. */
  idempotency: (userId: number, idempotencyKey: string) => `IDEMPOTENCY:${userId}:${idempotencyKey}`,
  /** Pub/sub: a product was restocked (its id), so every replica closes the product's breaker. */
  restockedChannel: 'order:restocked',
} as const;
