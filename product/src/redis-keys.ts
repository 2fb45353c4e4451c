/** Every Redis key of the product service, in one place (names as the original's). */
export const RedisKeys = {
  /** A product's gRPC item answer, cached for the order service's reads (PRODUCT_CACHE_TTL_SECONDS). */
  productItem: (productId: string) => `PRODUCT_ITEM_RESPONSE${productId}`,
  /** A product's stock lock, taken with Redlock on the three lock servers (REDLOCK_URLS). */
  stockLock: (productId: string) => `PRODUCT_STOCK:${productId}`,
} as const;
