import { AppException } from './errors';
import {
  backoffDelay,
  classifyFailure,
  describeFailure,
  PermanentError,
  retryDecision,
  TransientError,
} from './failures';

/** A TypeORM QueryFailedError as the mysql2 driver leaves it. */
const sqlError = (code: string) =>
  Object.assign(new Error(`sql ${code}`), { name: 'QueryFailedError', code, driverError: { code } });
const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('classifyFailure', () => {
  it.each([
    ['a PermanentError', new PermanentError('malformed')],
    ['a value too long for its column', sqlError('ER_DATA_TOO_LONG')],
    ['a NULL in a NOT NULL column', sqlError('ER_BAD_NULL_ERROR')],
    ['a payload that is not JSON', new SyntaxError('Unexpected token')],
    ['a domain refusal (4xx)', new AppException('NOT_USERS_ORDER', 400, 'no')],
    ['a message the broker refuses', named('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false })],
  ])('%s can never succeed', (_, error) => {
    expect(classifyFailure(error)).toBe('permanent');
  });

  it.each([
    ['a TransientError', new TransientError('later')],
    ['MySQL refusing connections', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a lost MySQL connection', sqlError('PROTOCOL_CONNECTION_LOST')],
    ['a deadlock', sqlError('ER_LOCK_DEADLOCK')],
    ['MongoDB away', named('MongoServerSelectionError')],
    ['mongoose buffering while disconnected', new Error('Operation `x.find()` buffering timed out after 10000ms')],
    ['no Redlock quorum', named('ExecutionError')],
    ['the broker away', named('KafkaJSConnectionError')],
    ['a broker electing leaders', named('KafkaJSProtocolError', { type: 'LEADER_NOT_AVAILABLE', retriable: true })],
    [
      "the producer's session after a broker restart",
      named('KafkaJSProtocolError', { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false }),
    ],
    ['the PG not answering', named('PgUnavailable')],
    ['a gRPC peer unavailable', Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection' })],
    ['a 503 from a peer', new AppException('GRPC_COMMUNICATION_ERROR', 503, 'UNAVAILABLE')],
    [
      'a cause wrapped by kafkajs',
      Object.assign(named('KafkaJSNumberOfRetriesExceeded'), { cause: named('KafkaJSConnectionError') }),
    ],
  ])('%s is transient', (_, error) => {
    expect(classifyFailure(error)).toBe('transient');
  });

  it.each([
    ['a plain error', new Error('boom')],
    ['a duplicate key', sqlError('ER_DUP_ENTRY')],
    [
      'a topic that does not exist',
      named('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }),
    ],
    ['a 500', new AppException('INTERNAL', 500, 'x')],
    ['not an error at all', 'a string'],
  ])('%s is unknown', (_, error) => {
    expect(classifyFailure(error)).toBe('unknown');
  });
});

describe('retryDecision', () => {
  const policy = { maxAttempts: 3, backoffMs: 100, maxBackoffMs: 1000 };

  it('parks a permanent failure at once', () => {
    expect(retryDecision('permanent', 1, policy)).toEqual({ action: 'park' });
  });

  it('retries an unknown failure with doubling backoff, then parks it after maxAttempts', () => {
    expect(retryDecision('unknown', 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
    expect(retryDecision('unknown', 2, policy)).toEqual({ action: 'retry', delayMs: 200 });
    expect(retryDecision('unknown', 3, policy)).toEqual({ action: 'park' });
  });

  it('never parks a transient failure; its backoff is capped', () => {
    expect(retryDecision('transient', 3, policy)).toEqual({ action: 'retry', delayMs: 400 });
    expect(retryDecision('transient', 1000, policy)).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('backoffDelay starts at backoffMs', () => {
    expect(backoffDelay(1, policy)).toBe(100);
    expect(backoffDelay(0, policy)).toBe(100);
  });
});

describe('describeFailure', () => {
  it('names the error and cuts long messages', () => {
    expect(describeFailure(new PermanentError('bad'))).toBe('PermanentError: bad');
    expect(describeFailure(new Error('x'.repeat(50)), 20)).toHaveLength(20);
  });
});
