import { httpConfig, kafkaConfig, mysqlConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'user',
  http: httpConfig(8081),
  db: mysqlConfig('runrun_user'),
  redis: redisConfig(),
  kafka: kafkaConfig('user-service'),
});
export type UserConfig = ReturnType<typeof loadConfig>;
