import { ROOT } from '@runrun/launcher';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Bad configuration stops a service at start with one clear line naming the variable. */
describe('configuration is validated at start-up', () => {
  const start = (service: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [join(ROOT, service, 'dist', 'main.js')], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it.each([
    ['user', { DB_PORT: 'abc' }, '[user] configuration error: DB_PORT must be an integer >= 0, got "abc"'],
    [
      'gateway',
      { HTTP_PORT: '70000' },
      '[gateway] configuration error: HTTP_PORT must be a TCP port (1-65535), got "70000"',
    ],
    [
      'order',
      { PRODUCT_GRPC_URL: 'product' },
      '[order] configuration error: PRODUCT_GRPC_URL must be host:port, got "product"',
    ],
    ['product', { MONGO_URL: 'not a url' }, '[product] configuration error: MONGO_URL must be a URL, got "not a url"'],
    [
      'payment',
      { NODE_ENV: 'production' },
      '[payment] configuration error: PG=mock is refused when NODE_ENV=production (set PG=toss, or ALLOW_MOCK_PG=true)',
    ],
    [
      'gateway',
      { TRUSTED_PROXIES: '10.0.0.0/33' },
      '[gateway] configuration error: TRUSTED_PROXIES must list IP addresses or CIDR ranges, got "10.0.0.0/33"',
    ],
  ])('%s with %j exits 1 and says why', (service, env, message) => {
    const result = start(service, env);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(message);
  });
});
