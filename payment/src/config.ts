import { envHostPort, httpConfig, kafkaConfig, mysqlConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'payment',
  http: httpConfig(8085),
  db: mysqlConfig('runrun_payment'),
  kafka: kafkaConfig('payment-service'),
  orderGrpc: envHostPort('ORDER_GRPC_URL', '127.0.0.1:9005'),
  productGrpc: envHostPort('PRODUCT_GRPC_URL', '127.0.0.1:9001'),
});
export type PaymentConfig = ReturnType<typeof loadConfig>;
