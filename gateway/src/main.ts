import { TokenRevocations } from '@runrun/auth';
import { DependencyRegistry, errorBody, REDIS, RedisClient, runHttpService } from '@runrun/common';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { Authenticator } from './auth/authenticator';
import { createDoor } from './auth/door';
import { loadConfig } from './config';
import { canonicalUrl } from './proxy/canonical-path';
import { registerProxyRoutes } from './proxy/proxy';
import { RateLimiter } from './rate-limit/rate-limiter';
import { SoldOutFlags } from './sold-out/sold-out-flags';
import { createSoldOutGate } from './sold-out/sold-out-gate';

/** Marks a request whose path has no canonical form; it is answered 400 before anything else. */
const refusedPaths = new WeakSet<IncomingMessage>();

void runHttpService({
  name: 'gateway',
  loadConfig,
  module: AppModule.register,
  logRequests: true,
  rawBodies: true,
  serverOptions: (config) => ({
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // before routing: the router, the access rules and the proxy all see the canonical path
    rewriteUrl: (request) => {
      const url = canonicalUrl(request.url ?? '/');
      if (url !== undefined) return url;
      refusedPaths.add(request);
      return '/';
    },
  }),
  configure: async (app, config, logger) => {
    const redis = app.get<RedisClient>(REDIS);
    const authenticator = new Authenticator(config.auth, new TokenRevocations(redis));
    const door = createDoor(authenticator, new RateLimiter(redis, config.rateLimitPerSecond), logger);
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request, reply) => {
        if (refusedPaths.has(request.raw)) {
          return reply.status(400).send(errorBody('BAD_REQUEST', 'Malformed request path'));
        }
      });
    const soldOut = new SoldOutFlags();
    const subscriber = await soldOut.follow(redis, logger);
    app.get(DependencyRegistry).onShutdown(async () => void (await subscriber.quit().catch(() => undefined)));
    await registerProxyRoutes(app, config, door, createSoldOutGate(soldOut));
  },
});
