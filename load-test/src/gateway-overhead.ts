import { startSystem, stopAll } from '@runrun/launcher';
import { login, signUp } from '@runrun/testkit';
import { join } from 'node:path';
import { ROOT } from '@runrun/launcher';
import { measure, table } from './measure';

/**
 * How much the gateway costs: an authenticated no-op (GET /users/whoami, no database work)
 * through the gateway (JWT check, revocation lookup in Redis, rate limit, proxy) against the same
 * call straight to the user service, measured in one run on this machine.
 *
 *   npm run bench:gateway -- [--connections 50] [--duration 10] [--shoppers 20]
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const connections = arg('connections', 50);
const duration = arg('duration', 10);
const shoppers = arg('shoppers', 20);
const PORT_OFFSET = 11_000;

async function main(): Promise<void> {
  console.log(`starting gateway and user on ports +${PORT_OFFSET} ...`);
  const services = await startSystem({
    portOffset: PORT_OFFSET,
    only: ['user', 'gateway'],
    logDir: join(ROOT, '.local', 'logs', 'bench'),
    env: {
      RATE_LIMIT_PER_SECOND: '0',
      EMAIL_AUTH_CLIENT_PER_HOUR: '0', // every shopper signs up from this machine
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      KAFKA_GROUP_PREFIX: 'bench-',
      LOG_LEVEL: 'warn',
    },
    serviceEnv: { user: { DB_NAME: 'runrun_bench_user', PUBLIC_BASE_URL: `http://127.0.0.1:${8080 + PORT_OFFSET}` } },
  });
  const [user, gateway] = services;
  process.env.GATEWAY_URL = gateway.url;
  try {
    console.log(`signing up ${shoppers} shoppers through the gateway ...`);
    const sessions = [];
    for (let i = 0; i < shoppers; i++) sessions.push(await login(await signUp()));

    const common = { connections, durationSeconds: duration };
    console.log(`warming up, then ${duration} s per phase at ${connections} connections ...`);
    await measure('warm-up', {
      ...common,
      durationSeconds: 2,
      url: `${gateway.url}/users/whoami`,
      headers: sessions.map((s) => s.auth),
    });
    const direct = await measure('straight to user service', {
      ...common,
      url: `${user.url}/users/whoami`,
      headers: sessions.map((s) => ({ 'x-user-id': String(s.userId), 'x-user-role': 'CUSTOMER' })),
    });
    const viaGateway = await measure('through the gateway', {
      ...common,
      url: `${gateway.url}/users/whoami`,
      headers: sessions.map((s) => s.auth),
    });

    console.log(`\nauthenticated no-op GET /users/whoami, ${connections} connections, ${duration} s each\n`);
    console.log(table([direct, viaGateway]));
    const ratio = viaGateway.requestsPerSecond / direct.requestsPerSecond;
    console.log(`\ngateway / direct throughput: ${(ratio * 100).toFixed(1)} %`);
    console.log(
      `gateway adds at p50: ${(viaGateway.p50 - direct.p50).toFixed(1)} ms, at p99: ${(viaGateway.p99 - direct.p99).toFixed(1)} ms`,
    );
  } finally {
    await stopAll(services);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
