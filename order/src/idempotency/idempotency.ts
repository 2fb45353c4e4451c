import { Inject, Injectable } from '@nestjs/common';
import { AppException, REDIS } from '@runrun/common';
import type Redis from 'ioredis';
import { OrderErrors } from '../errors';

const TTL_SECONDS = 24 * 3600;
const PENDING = 'pending';
const key = (userId: number, idempotencyKey: string) => `IDEMPOTENCY:${userId}:${idempotencyKey}`;

interface StoredAnswer {
  status: number;
  body: unknown;
}

/**
 * `Idempotency-Key` on POST /orders: the first request with a key runs and its answer (success
 * or error) is kept for a day; a retry with the same key gets that answer and creates nothing.
 * Keys are per user, so one shopper's key never answers another's request.
 */
@Injectable()
export class Idempotency {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async run<T extends object>(userId: number, idempotencyKey: string | undefined, work: () => Promise<T>): Promise<T> {
    if (!idempotencyKey) return work();
    if (idempotencyKey.length > 200) {
      throw new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { 'Idempotency-Key': 'at most 200 characters' });
    }
    const k = key(userId, idempotencyKey);
    const claimed = await this.redis.set(k, PENDING, 'EX', TTL_SECONDS, 'NX');
    if (!claimed) return this.replay<T>(k);
    try {
      const result = await work();
      await this.redis.set(k, JSON.stringify({ status: 200, body: result } satisfies StoredAnswer), 'EX', TTL_SECONDS);
      return result;
    } catch (error) {
      if (error instanceof AppException && error.status < 500) {
        await this.redis.set(
          k,
          JSON.stringify({ status: error.status, body: { code: error.code, message: error.details } }),
          'EX',
          TTL_SECONDS,
        );
      } else {
        await this.redis.del(k); // not a final answer: the client may retry for real
      }
      throw error;
    }
  }

  /** The first request's answer; waits a little while it is still running. */
  private async replay<T>(k: string): Promise<T> {
    for (let i = 0; i < 50; i++) {
      const stored = await this.redis.get(k);
      if (stored && stored !== PENDING) {
        const answer = JSON.parse(stored) as StoredAnswer;
        if (answer.status === 200) return answer.body as T;
        const body = answer.body as { code: string; message: string };
        throw new AppException(body.code, answer.status, body.message);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw OrderErrors.requestInProgress();
  }
}
