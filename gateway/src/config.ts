import { authConfig } from '@runrun/auth';
import { envInt, envUrl, httpConfig, redisConfig } from '@runrun/common';

export const loadConfig = () => ({
  name: 'gateway',
  http: httpConfig(8080),
  redis: redisConfig(),
  auth: authConfig(),
  /** Requests per second per client (signed-in user, else IP); 0 disables the limit. */
  rateLimitPerSecond: envInt('RATE_LIMIT_PER_SECOND', 50),
  upstreams: {
    user: envUrl('USER_SERVICE_URL', 'http://127.0.0.1:8081'),
    brand: envUrl('BRAND_SERVICE_URL', 'http://127.0.0.1:8082'),
    product: envUrl('PRODUCT_SERVICE_URL', 'http://127.0.0.1:8083'),
    order: envUrl('ORDER_SERVICE_URL', 'http://127.0.0.1:8084'),
    payment: envUrl('PAYMENT_SERVICE_URL', 'http://127.0.0.1:8085'),
  },
});
export type GatewayConfig = ReturnType<typeof loadConfig>;
