import { envHostPort, envInt, envList, envPort, envUrl, httpConfig, kafkaConfig, redisConfig } from '@runrun/common';
import { storageConfig } from '@runrun/storage';

export const loadConfig = () => ({
  name: 'product',
  http: httpConfig(8083),
  grpcPort: envPort('GRPC_PORT', 9001),
  mongoUrl: envUrl('MONGO_URL', 'mongodb://127.0.0.1:27017/runrun_product'),
  redis: redisConfig(),
  /** Independent Redis servers for Redlock (a majority must agree). */
  redlockUrls: envList('REDLOCK_URLS', 'redis://127.0.0.1:6379,redis://127.0.0.1:6380,redis://127.0.0.1:6381'),
  kafka: kafkaConfig('product-service'),
  brandGrpc: envHostPort('BRAND_GRPC_URL', '127.0.0.1:9002'),
  storage: storageConfig(),
  productCacheTtlSeconds: envInt('PRODUCT_CACHE_TTL_SECONDS', 600, process.env, 1),
  /** A stock movement still being applied after this long was left by a call that died: recovery finishes it. */
  stockRecoveryGraceMs: envInt('STOCK_RECOVERY_GRACE_SECONDS', 30, process.env, 1) * 1000,
});
export type ProductConfig = ReturnType<typeof loadConfig>;
