import { ConfigError, envHostPort, envInt, envString, httpConfig, kafkaConfig, mysqlConfig } from '@runrun/common';

function pgConfig() {
  const kind = envString('PG', 'mock');
  if (kind !== 'mock' && kind !== 'toss') throw new ConfigError(`PG must be mock or toss, got "${kind}"`);
  // the mock PG approves payments that nobody paid: production takes it only when told so
  if (kind === 'mock' && process.env.NODE_ENV === 'production' && process.env.ALLOW_MOCK_PG !== 'true') {
    throw new ConfigError('PG=mock is refused when NODE_ENV=production (set PG=toss, or ALLOW_MOCK_PG=true)');
  }
  return {
    kind,
    timeoutMs: envInt('PG_TIMEOUT_MS', 10_000, process.env, 1),
    tossUrl: envString('TOSS_PAYMENTS_URL', 'https://api.tosspayments.com/v1/payments'),
    tossSecret: kind === 'toss' ? envString('TOSS_PAYMENT_SECRET') : '',
    /** The client key the checkout page hands to Toss's script (public by design). */
    tossClientKey: kind === 'toss' ? envString('TOSS_CLIENT_KEY') : '',
  } as const;
}

export const loadConfig = () => ({
  name: 'payment',
  http: httpConfig(8085),
  db: mysqlConfig('runrun_payment'),
  kafka: kafkaConfig('payment-service'),
  orderGrpc: envHostPort('ORDER_GRPC_URL', '127.0.0.1:9005'),
  productGrpc: envHostPort('PRODUCT_GRPC_URL', '127.0.0.1:9001'),
  pg: pgConfig(),
  refunds: {
    /** Wait before asking the PG again for an owed refund; it doubles after each failure, up to the max. */
    retrySeconds: envInt('REFUND_RETRY_SECONDS', 10, process.env, 1),
    maxRetrySeconds: envInt('REFUND_RETRY_MAX_SECONDS', 600, process.env, 1),
  },
});
export type PaymentConfig = ReturnType<typeof loadConfig>;
