import { envHostPort, envPort, httpConfig, kafkaConfig, mysqlConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'order',
  http: httpConfig(8084),
  grpcPort: envPort('GRPC_PORT', 9005),
  db: mysqlConfig('runrun_order'),
  redis: redisConfig(),
  kafka: kafkaConfig('order-service'),
  productGrpc: envHostPort('PRODUCT_GRPC_URL', '127.0.0.1:9001'),
  brandGrpc: envHostPort('BRAND_GRPC_URL', '127.0.0.1:9002'),
});
export type OrderConfig = ReturnType<typeof loadConfig>;
