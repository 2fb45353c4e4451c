import Redis from 'ioredis';

/**
 * A Redis connection that fails fast while its server is away (commands error instead of
 * queueing forever) and reconnects by itself when it is back. `offlineQueue: false` makes a
 * command fail at once while disconnected (Redlock: a missing vote must not stall the others).
 */
export function createRedis(url: string, connectionName: string, options: { offlineQueue?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: options.offlineQueue ?? true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

/** Readiness: connected and answering PING. */
export async function pingRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await redis.ping();
}
