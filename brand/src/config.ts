import { envPort, httpConfig, mysqlConfig } from '@runrun/common';
import { storageConfig } from '@runrun/storage';

export const loadConfig = () => ({
  name: 'brand',
  http: httpConfig(8082),
  grpcPort: envPort('GRPC_PORT', 9002),
  db: mysqlConfig('runrun_brand'),
  storage: storageConfig(),
});
export type BrandConfig = ReturnType<typeof loadConfig>;
