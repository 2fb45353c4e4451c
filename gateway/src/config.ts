import { authConfig } from '@runrun/auth';
import { ConfigError, envInt, envList, httpConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'gateway',
  http: httpConfig(8080),
  redis: redisConfig(),
  auth: authConfig(),
  /** Requests per second per client (signed-in user, else IP); 0 disables the limit. */
  rateLimitPerSecond: envInt('RATE_LIMIT_PER_SECOND', 50),
  /** Each service's address, or several comma-separated: requests take turns among them. */
  upstreams: {
    user: urls('USER_SERVICE_URL', 'http://127.0.0.1:8081'),
    brand: urls('BRAND_SERVICE_URL', 'http://127.0.0.1:8082'),
    product: urls('PRODUCT_SERVICE_URL', 'http://127.0.0.1:8083'),
    order: urls('ORDER_SERVICE_URL', 'http://127.0.0.1:8084'),
    payment: urls('PAYMENT_SERVICE_URL', 'http://127.0.0.1:8085'),
  },
});
export type GatewayConfig = ReturnType<typeof loadConfig>;

function urls(name: string, fallback: string): string[] {
  const list = envList(name, fallback);
  for (const value of list) {
    if (!/^https?:\/\/[\w.-]+(:\d+)?$/.test(value))
      throw new ConfigError(`${name} must list http(s)://host:port addresses, got "${value}"`);
  }
  return list;
}
