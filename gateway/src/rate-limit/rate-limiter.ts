import type Redis from 'ioredis';

/**
 * Requests per client per second, counted in Redis so that every gateway replica shares one
 * count: N replicas give a client the limit once, not N times. One round trip per request: the
 * script counts and starts the one-second window on the first request of a client.
 */
const TAKE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], 1000) end
return count`;

type LimiterRedis = Redis & { takeRequest(key: string): Promise<number> };

export class RateLimiter {
  private readonly redis: LimiterRedis;

  constructor(
    redis: Redis,
    private readonly perSecond: number,
  ) {
    redis.defineCommand('takeRequest', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as LimiterRedis;
  }

  /** False when `client` is over its limit in the current second. A limit of 0 disables it. */
  async take(client: string): Promise<boolean> {
    if (this.perSecond <= 0) return true;
    return (await this.redis.takeRequest(`gateway:rate:${client}`)) <= this.perSecond;
  }
}
