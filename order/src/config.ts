import { envHostPort, envInt, envPort, httpConfig, kafkaConfig, mysqlConfig, redisConfig } from '@runrun/common';

type Env = Record<string, string | undefined>;

/**
 * How long a shopper has to pay, shared by the order service and the cron jobs. A flash sale
 * wants a short window: a unit held by an order nobody pays is a unit no one else can buy, and two
 * days (the original) let one account sit on a sale. 15 minutes is the usual checkout hold of
 * ticket and sneaker drops: long enough to type a card number or wait for a bank's app, short
 * enough that abandoned units go back on sale while the sale is still running.
 */
export const paymentWindowConfig = (env: Env = process.env) => ({
  windowMs: envInt('PAYMENT_WINDOW_SECONDS', 15 * 60, env, 1) * 1000,
  /**
   * Unpaid orders are swept this long after their deadline, so a confirm that started before the
   * deadline (PG up to 10 s, stock up to 20 s) finishes instead of being cancelled under it.
   */
  graceMs: envInt('PAYMENT_GRACE_SECONDS', 60, env) * 1000,
});
export type PaymentWindowConfig = ReturnType<typeof paymentWindowConfig>;

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
  /**
   * How long a gateway refuses a sold-out product's orders itself after this replica saw its
   * counter at zero (sent again while orders keep coming); 0 turns the gateways' flags off.
   */
  soldOutFlagMs: envInt('SOLD_OUT_FLAG_MS', 1000),
  /** How long product data is reused in process on the order path. */
  productCacheMs: envInt('ORDER_PRODUCT_CACHE_MS', 1000),
  payment: {
    ...paymentWindowConfig(),
    /** Every replica looks for unpaid orders past their deadline this often. */
    sweepIntervalMs: envInt('PAYMENT_SWEEP_SECONDS', 5, process.env, 1) * 1000,
  },
  reconcile: {
    /** A reservation this old without its order row was left by a process that died: given back. */
    graceMs: envInt('RESERVATION_GRACE_SECONDS', 60, process.env, 1) * 1000,
    intervalMs: envInt('RESERVATION_RECONCILE_SECONDS', 10, process.env, 1) * 1000,
  },
  /** PAYMENT_PENDING orders one shopper may have at once; 0 = no cap. */
  maxUnpaidOrders: envInt('MAX_UNPAID_ORDERS', 3),
});
export type OrderConfig = ReturnType<typeof loadConfig>;
