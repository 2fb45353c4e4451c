import { envPort, envUrl, httpConfig, kafkaConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'product',
  http: httpConfig(8083),
  grpcPort: envPort('GRPC_PORT', 9001),
  mongoUrl: envUrl('MONGO_URL', 'mongodb://127.0.0.1:27017/runrun_product'),
  redis: redisConfig(),
  kafka: kafkaConfig('product-service'),
});
export type ProductConfig = ReturnType<typeof loadConfig>;
