import { DEFAULT_RETRY_POLICY, RetryPolicy } from './failures';

/**
 * Configuration comes from environment variables, read once at start-up. A missing or malformed
 * value throws ConfigError; the bootstrap prints its one-line message and exits with status 1.
 * Defaults match the local servers that infra/ starts; production sets every value explicitly.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(name: string, env: Env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function envString(name: string, fallback?: string, env: Env = process.env): string {
  const value = raw(name, env) ?? fallback;
  if (value === undefined) throw new ConfigError(`${name} is required but not set`);
  return value;
}

export function envInt(name: string, fallback?: number, env: Env = process.env, min = 0): number {
  const value = raw(name, env);
  if (value === undefined) {
    if (fallback === undefined) throw new ConfigError(`${name} is required but not set`);
    return fallback;
  }
  if (!/^-?\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

export function envPort(name: string, fallback: number, env: Env = process.env): number {
  const port = envInt(name, fallback, env);
  if (port < 1 || port > 65535) throw new ConfigError(`${name} must be a TCP port (1-65535), got "${port}"`);
  return port;
}

export function envList(name: string, fallback: string, env: Env = process.env): string[] {
  const items = envString(name, fallback, env)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(`${name} must list at least one value`);
  return items;
}

export function envUrl(name: string, fallback: string, env: Env = process.env): string {
  const value = envString(name, fallback, env);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`);
  }
  return value;
}

/** host:port, as gRPC targets and Kafka brokers are written. */
export function envHostPort(name: string, fallback: string, env: Env = process.env): string {
  const value = envString(name, fallback, env);
  if (!/^[\w.-]+:\d{1,5}$/.test(value)) throw new ConfigError(`${name} must be host:port, got "${value}"`);
  return value;
}

// ---- configuration blocks shared by several services ----

export interface HttpConfig {
  host: string;
  port: number;
  /** On SIGTERM, how long the work in flight may take to finish before it is cut. */
  drainMs?: number;
}
export const httpConfig = (defaultPort: number, env: Env = process.env): HttpConfig => ({
  host: envString('HTTP_HOST', '127.0.0.1', env),
  port: envPort('HTTP_PORT', defaultPort, env),
  drainMs: envInt('SHUTDOWN_DRAIN_SECONDS', 10, env, 1) * 1000,
});

export interface MysqlConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  poolSize: number;
}
export const mysqlConfig = (defaultDatabase: string, env: Env = process.env): MysqlConfig => ({
  host: envString('DB_HOST', '127.0.0.1', env),
  port: envPort('DB_PORT', 3306, env),
  username: envString('DB_USER', 'runrun', env),
  password: envString('DB_PASSWORD', 'runrun', env),
  database: envString('DB_NAME', defaultDatabase, env),
  poolSize: envInt('DB_POOL_SIZE', 20, env, 1),
});

export interface RedisConfig {
  url: string;
  /** Seed nodes (host:port) of a Redis Cluster; when set, `url` is not used. */
  clusterNodes?: string[];
}
export const redisConfig = (env: Env = process.env): RedisConfig => {
  const nodes = raw('REDIS_CLUSTER_NODES', env);
  const clusterNodes = nodes
    ?.split(',')
    .map((node) => node.trim())
    .filter(Boolean);
  for (const node of clusterNodes ?? []) {
    if (!/^[\w.-]+:\d{1,5}$/.test(node))
      throw new ConfigError(`REDIS_CLUSTER_NODES must list host:port, got "${node}"`);
  }
  return {
    url: envUrl('REDIS_URL', 'redis://127.0.0.1:6379', env),
    ...(clusterNodes?.length ? { clusterNodes } : {}),
  };
};

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** Prefix for consumer group ids, so that test runs never share groups with a running system. */
  groupPrefix: string;
  /** How consumers retry a failing message before parking it on `<topic>.dlq` (defaults when absent). */
  retry?: RetryPolicy;
  /** Attempts of an outbox row that fails on its own before it is parked (the backoff is `retry`'s). */
  outboxMaxAttempts?: number;
}
export const kafkaConfig = (clientId: string, env: Env = process.env): KafkaConfig => ({
  brokers: envList('KAFKA_BROKERS', '127.0.0.1:9092', env),
  clientId: envString('KAFKA_CLIENT_ID', clientId, env),
  groupPrefix: raw('KAFKA_GROUP_PREFIX', env) ?? '',
  retry: {
    maxAttempts: envInt('KAFKA_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, env, 1),
    backoffMs: envInt('KAFKA_RETRY_BACKOFF_MS', DEFAULT_RETRY_POLICY.backoffMs, env, 1),
    maxBackoffMs: envInt('KAFKA_RETRY_MAX_BACKOFF_MS', DEFAULT_RETRY_POLICY.maxBackoffMs, env, 1),
  },
  outboxMaxAttempts: envInt('OUTBOX_MAX_ATTEMPTS', DEFAULT_OUTBOX_MAX_ATTEMPTS, env, 1),
});
export const DEFAULT_OUTBOX_MAX_ATTEMPTS = 10;
