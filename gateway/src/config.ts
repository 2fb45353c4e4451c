import { authConfig } from '@runrun/auth';
import { ConfigError, envInt, envList, httpConfig, redisConfig } from '@runrun/common';
import { isIP } from 'node:net';

export const loadConfig = () => ({
  name: 'gateway',
  http: httpConfig(8080),
  redis: redisConfig(),
  auth: authConfig(),
  /** Requests per second per client (signed-in user, else address), across every replica; 0 disables it. */
  rateLimitPerSecond: envInt('RATE_LIMIT_PER_SECOND', 50),
  /**
   * Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed: the client's address is
   * the last one in that header not added by one of them. Empty: the header is never believed.
   */
  trustedProxies: trustedProxies('TRUSTED_PROXIES'),
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

function trustedProxies(name: string): string[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [];
  const list = raw.split(',').map((value) => value.trim());
  for (const value of list) {
    const [address, bits, extra] = value.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined)
      throw new ConfigError(`${name} must list IP addresses or CIDR ranges, got "${value}"`);
  }
  return list;
}
