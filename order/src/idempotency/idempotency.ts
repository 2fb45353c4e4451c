import { Inject, Injectable } from '@nestjs/common';
import { AppException, invalidArgument, REDIS } from '@runrun/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { OrderErrors } from '../errors';
import { RedisKeys } from '../redis-keys';

const TTL_SECONDS = 24 * 3600;
/** What the first version stored while the first request ran (kept readable for a day after an upgrade). */
const LEGACY_PENDING = 'pending';

/** The key's record: the body's hash, and once the first request finished, its answer. */
interface Stored {
  hash?: string;
  pending?: true;
  status?: number;
  body?: unknown;
}

/**
 * JSON with the keys of every object sorted, so that two bodies meaning the same thing (keys in
 * another order, other spacing) read the same; undefined members are left out as JSON does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const bodyHash = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('hex');

/**
 * `Idempotency-Key` on POST /orders, as payment APIs have it: the first request with a key runs
 * and its answer (success or 4xx) is kept for a day; a retry with the same key and the same body
 * gets that answer and creates nothing. The same key with another body is a client error (422
 * IDEMPOTENCY_KEY_REUSED); a retry while the first request still runs is answered at once with
 * 409 IDEMPOTENCY_KEY_IN_PROGRESS (retry later). Keys are per user, so one shopper's key never
 * answers another's request. A 5xx is not kept: the key is freed for a real retry.
 */
@Injectable()
export class Idempotency {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async run<T extends object>(
    userId: number,
    idempotencyKey: string | undefined,
    body: unknown,
    work: () => Promise<T>,
  ): Promise<T> {
    if (!idempotencyKey) return work();
    if (idempotencyKey.length > 200) {
      throw invalidArgument('Idempotency-Key', 'at most 200 characters');
    }
    const k = RedisKeys.idempotency(userId, idempotencyKey);
    const hash = bodyHash(body);
    const pending: Stored = { hash, pending: true };
    // a first request that failed with a 5xx frees the key between our claim and our read: try again
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.redis.set(k, JSON.stringify(pending), 'EX', TTL_SECONDS, 'NX')) return this.first(k, hash, work);
      const stored = await this.redis.get(k);
      if (stored !== null) return this.answerAgain<T>(stored, hash);
    }
    throw OrderErrors.idempotencyKeyInProgress();
  }

  private async first<T extends object>(k: string, hash: string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      await this.store(k, { hash, status: 200, body: result });
      return result;
    } catch (error) {
      if (error instanceof AppException && error.status < 500) {
        await this.store(k, { hash, status: error.status, body: { code: error.code, message: error.details } });
      } else {
        await this.redis.del(k); // not a final answer: the client may retry for real
      }
      throw error;
    }
  }

  private async store(k: string, answer: Stored): Promise<void> {
    await this.redis.set(k, JSON.stringify(answer), 'EX', TTL_SECONDS);
  }

  /** The first request's answer to a repeat: refused when the body differs or it still runs. */
  private answerAgain<T>(raw: string, hash: string): T {
    if (raw === LEGACY_PENDING) throw OrderErrors.idempotencyKeyInProgress();
    const stored = JSON.parse(raw) as Stored;
    if (stored.hash !== undefined && stored.hash !== hash) throw OrderErrors.idempotencyKeyReused();
    if (stored.pending) throw OrderErrors.idempotencyKeyInProgress();
    if (stored.status === 200) return stored.body as T;
    const body = stored.body as { code: string; message: string | Record<string, string> };
    throw new AppException(body.code, stored.status!, body.message);
  }
}
