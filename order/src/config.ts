import { envHostPort, envInt, envPort, httpConfig, kafkaConfig, mysqlConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'order',
  http: httpConfig(8084),
  grpcPort: envPort('GRPC_PORT', 9005),
  db: mysqlConfig('runrun_order'),
  redis: redisConfig(),
  kafka: kafkaConfig('order-service'),
  productGrpc: envHostPort('PRODUCT_GRPC_URL', '127.0.0.1:9001'),
  brandGrpc: envHostPort('BRAND_GRPC_URL', '127.0.0.1:9002'),
  breaker: {
    /** The original's resilience4j: 50 calls, 10 % failures, 30 s open; here over a rolling window. */
    volumeThreshold: envInt('BREAKER_MIN_CALLS', 50),
    errorThresholdPercentage: envInt('BREAKER_FAILURE_RATE', 10),
    resetTimeoutMs: envInt('BREAKER_OPEN_MS', 30_000),
    rollingWindowMs: envInt('BREAKER_WINDOW_MS', 10_000),
  },
  /** How long product data is reused in process on the order path. */
  productCacheMs: envInt('ORDER_PRODUCT_CACHE_MS', 1000),
});
export type OrderConfig = ReturnType<typeof loadConfig>;
