import Redis, { Cluster } from 'ioredis';
import type { RedisConfig } from './config';

/**
 * What a service talks to: one Redis, or a Redis Cluster (REDIS_CLUSTER_NODES). Both answer the
 * same commands; on a cluster every multi-key command or script must name keys of one hash slot
 * (the services' redis-keys.ts give keys that belong together one hash tag).
 */
export type RedisClient = Redis | Cluster;

const RETRY = (attempt: number) => Math.min(attempt * 200, 2000);
/**
 * A command without an answer by then fails: a server that hangs (stopped, partitioned) keeps its
 * connection open, and without a bound every request waiting on it would wait forever. Far above
 * any real answer, even with the event loop busy in a rush.
 */
const COMMAND_TIMEOUT_MS = 5000;

/**
 * A Redis connection that fails fast while its server is away or hangs (commands error instead of
 * queueing or waiting forever) and reconnects by itself when it is back. `offlineQueue: false`
 * makes a command fail at once while disconnected (Redlock: a missing vote must not stall the
 * others).
 *
 * Commands issued in the same tick of the event loop go out in one write (auto-pipelining): in a
 * rush, hundreds of requests each send a command or two, and a write per command cost more CPU
 * than the commands themselves. Each command keeps its own answer and error.
 */
export function createRedis(url: string, connectionName: string, options: { offlineQueue?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: options.offlineQueue ?? true,
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: RETRY,
    enableAutoPipelining: true,
  });
}

/** The service's Redis: a cluster client when seed nodes are configured, else one connection to `url`. */
export function createRedisClient(config: RedisConfig, connectionName: string): RedisClient {
  if (!config.clusterNodes?.length) return createRedis(config.url, connectionName);
  return new Cluster(
    config.clusterNodes.map((node) => {
      const [host, port] = node.split(':');
      return { host, port: Number(port) };
    }),
    {
      // a node's own errors (MOVED after a reshard, a failover) are followed; an unreachable
      // cluster fails commands like a single Redis does
      clusterRetryStrategy: RETRY,
      // auto-pipelining groups commands by the node of their first argument: every command and
      // script here has a key there (a script takes a fixed number of keys)
      enableAutoPipelining: true,
      redisOptions: {
        connectionName,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: COMMAND_TIMEOUT_MS,
      },
    },
  );
}

/** Readiness: connected and answering PING (on a cluster: the slot table is known and a node answers). */
export async function pingRedis(redis: RedisClient): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await redis.ping();
}

/**
 * MGET of keys that need not share a slot: one MGET on a single Redis; on a cluster, where keys
 * of several slots are refused (CROSSSLOT), one GET per key, sent together.
 */
export async function getMany(redis: RedisClient, keys: string[]): Promise<(string | null)[]> {
  if (!keys.length) return [];
  if (!redis.isCluster) return redis.mget(keys);
  return Promise.all(keys.map((key) => redis.get(key)));
}
