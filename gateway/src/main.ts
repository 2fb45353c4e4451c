import { TokenRevocations } from '@runrun/auth';
import { REDIS, runHttpService } from '@runrun/common';
import type Redis from 'ioredis';
import { AppModule } from './app.module';
import { Authenticator } from './auth/authenticator';
import { createDoor } from './auth/door';
import { loadConfig } from './config';
import { registerProxyRoutes } from './proxy/proxy';
import { RateLimiter } from './rate-limit/rate-limiter';

void runHttpService({
  name: 'gateway',
  loadConfig,
  module: AppModule.register,
  logRequests: true,
  rawBodies: true,
  configure: async (app, config) => {
    const authenticator = new Authenticator(config.auth, new TokenRevocations(app.get<Redis>(REDIS)));
    const door = createDoor(authenticator, new RateLimiter(config.rateLimitPerSecond));
    await registerProxyRoutes(app, config, door);
  },
});
