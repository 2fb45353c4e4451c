import { loadScript, RedisClient } from '@runrun/common';

const TAKE = loadScript(__dirname, 'take-request.lua');

type LimiterRedis = RedisClient & { takeRequest(key: string): Promise<number> };

/**
 * Requests per client per second, counted in Redis so that every gateway replica shares one
 * count: N replicas give a client the limit once, not N times. One round trip per request: the
 * script counts and starts the one-second window on the first request of a client.
 */
export class RateLimiter {
  private readonly redis: LimiterRedis;

  constructor(
    redis: RedisClient,
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
