import { AppException } from './errors';

/**
 * What a failed message (a consumed event, an outbox row) should get:
 * - `permanent`: it can never succeed (malformed, refused by the domain, too big for its column):
 *   park it at once, so it does not hold the messages behind it;
 * - `transient`: a server it needs is down or busy: keep retrying, never park (it will succeed
 *   once the server is back, and parking would only lose order);
 * - `unknown`: retry a bounded number of times, then park.
 */
export type FailureKind = 'permanent' | 'transient' | 'unknown';

/** Thrown by a handler for a message that can never succeed. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Thrown by a handler when a server it needs does not answer: the message waits for it. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

// MySQL/MariaDB: the row itself is wrong; the same statement fails every time
const PERMANENT_SQL = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_NO_DEFAULT_FOR_FIELD',
  'ER_NO_REFERENCED_ROW_2',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'ER_INVALID_JSON_TEXT',
  'ER_WRONG_VALUE_COUNT_ON_ROW',
]);

// sockets, MySQL connections and locks, gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4): the server is away
const TRANSIENT_CODES = new Set<string | number>([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ECONNABORTED',
]);
const TRANSIENT_NAMES = new Set([
  'TransientError',
  'PgUnavailable',
  // MongoDB driver
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  // ioredis, redlock (no quorum of lock servers)
  'MaxRetriesPerRequestError',
  'ExecutionError',
  // kafkajs: the broker is away or electing leaders
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);
// the broker refuses this message itself, whenever it is sent
const KAFKA_PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'POLICY_VIOLATION',
]);
const TRANSIENT_MESSAGES =
  /buffering timed out|Connection is closed|Stream isn't writeable|Connection lost|connect ECONNREFUSED|Pool is closed|Connection terminated/i;

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string | number;
  errno?: number;
  retriable?: boolean;
  type?: string;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/** The kind of a failure, looking through causes (TypeORM's driverError, kafkajs's wrapped errors). */
export function classifyFailure(error: unknown): FailureKind {
  return classify(error, 0);
}

function classify(error: unknown, depth: number): FailureKind {
  if (!error || typeof error !== 'object' || depth > 5) return 'unknown';
  const e = error as ErrorLike;
  if (e instanceof PermanentError || e.name === 'PermanentError') return 'permanent';
  if (e instanceof SyntaxError) return 'permanent'; // a payload that does not parse
  if (e instanceof AppException) {
    if (e.status === 503 || e.status === 429 || e.status === 408) return 'transient';
    return e.status < 500 ? 'permanent' : 'unknown';
  }
  if (e.name && TRANSIENT_NAMES.has(e.name)) return 'transient';
  if (e.code !== undefined) {
    if (typeof e.code === 'string' && PERMANENT_SQL.has(e.code)) return 'permanent';
    if (TRANSIENT_CODES.has(e.code)) return 'transient';
    // gRPC status on a client error
    if (typeof e.code === 'number' && (e.code === 14 || e.code === 4) && 'details' in e) return 'transient';
  }
  if (e.name === 'KafkaJSProtocolError' && typeof e.type === 'string') {
    if (KAFKA_PERMANENT.has(e.type)) return 'permanent';
    // a topic that does not exist is not the broker being away: retried, then parked
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return 'unknown';
    // the rest is about the broker or the producer's session (leaders, sequence numbers after a
    // broker restart, …), never about one message: parking would empty an outbox during an outage
    return 'transient';
  }
  for (const inner of [e.driverError, e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const kind = classify(inner, depth + 1);
    if (kind !== 'unknown') return kind;
  }
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.test(e.message)) return 'transient';
  return 'unknown';
}

export interface RetryPolicy {
  /** Attempts of a message whose failure is `unknown`, the first included, before it is parked. */
  maxAttempts: number;
  /** Wait after the first failure; it doubles after each one, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, backoffMs: 500, maxBackoffMs: 30_000 };

export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'park' };

/** After `attempts` failed attempts (1 = the first) with a failure of `kind`: retry after a delay, or park. */
export function retryDecision(kind: FailureKind, attempts: number, policy: RetryPolicy): RetryDecision {
  if (kind === 'permanent') return { action: 'park' };
  if (kind === 'unknown' && attempts >= policy.maxAttempts) return { action: 'park' };
  return { action: 'retry', delayMs: backoffDelay(attempts, policy) };
}

/** backoffMs · 2^(attempts-1), capped at maxBackoffMs. */
export function backoffDelay(attempts: number, policy: Pick<RetryPolicy, 'backoffMs' | 'maxBackoffMs'>): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.backoffMs * 2 ** exponent, policy.maxBackoffMs);
}

/** One line for logs, headers and columns. */
export function describeFailure(error: unknown, max = 1000): string {
  const e = error as ErrorLike | undefined;
  let text = String(error);
  if (e && typeof e === 'object') {
    const code = typeof e.code === 'string' ? e.code : e.type; // ER_DATA_TOO_LONG, MESSAGE_TOO_LARGE
    text = `${e.name ?? 'Error'}${code ? ` [${code}]` : ''}: ${e.message ?? ''}`;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
