import { Inject, Injectable } from '@nestjs/common';
import { AppException, CONFIG, invalidArgument, loadScript, REDIS, RedisClient } from '@runrun/common';
import { createHash } from 'node:crypto';
import type { OrderConfig } from '../config';
import { OrderErrors } from '../errors';
import { newOrderId } from '../order/order-id';
import { RedisKeys } from '../redis-keys';

const TTL_SECONDS = 24 * 3600;
/** What the first version stored while the first request ran (kept readable for a day after an upgrade). */
const LEGACY_PENDING = 'pending';
const REPLACE_IF_UNCHANGED = loadScript(__dirname, 'replace-if-unchanged.lua');

/**
 * The key's record: the body's hash; while the first request runs, the order id it places and
 * when it began; once it finished, its answer.
 */
interface Stored {
  hash?: string;
  pending?: true;
  orderId?: string;
  since?: number;
  status?: number;
  body?: unknown;
}

/** Places the order under `orderId`; finds an order placed under it (a request that died after its row). */
export interface OrderPlacement<T> {
  place(orderId: string): Promise<T>;
  placed(orderId: string): Promise<T | undefined>;
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
 *
 * A claim whose request died (a replica killed mid-order) is taken over by the first retry after
 * the reservation grace (`RESERVATION_GRACE_SECONDS`, which no request outlives): the order the
 * dead request wrote, if it wrote one, is the answer; otherwise the retry places the order anew
 * (the dead request's reservation is the reconciler's to give back).
 */
@Injectable()
export class Idempotency {
  private readonly abandonedAfterMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) config: OrderConfig,
  ) {
    this.abandonedAfterMs = config.reconcile.graceMs;
    redis.defineCommand('replaceIfUnchanged', { numberOfKeys: 1, lua: REPLACE_IF_UNCHANGED });
  }

  async run<T extends object>(
    userId: number,
    idempotencyKey: string | undefined,
    body: unknown,
    order: OrderPlacement<T>,
  ): Promise<T> {
    if (!idempotencyKey) return order.place(newOrderId());
    if (idempotencyKey.length > 200) {
      throw invalidArgument('Idempotency-Key', 'at most 200 characters');
    }
    const k = RedisKeys.idempotency(userId, idempotencyKey);
    const hash = bodyHash(body);
    // a first request that failed with a 5xx frees the key between our claim and our read: try again
    for (let attempt = 0; attempt < 3; attempt++) {
      const claim = this.claim(hash);
      if (await this.redis.set(k, claim.raw, 'EX', TTL_SECONDS, 'NX')) return this.first(k, hash, claim.orderId, order);
      const stored = await this.redis.get(k);
      if (stored === null) continue;
      const abandoned = this.abandoned(stored, hash);
      if (!abandoned) return this.answerAgain<T>(stored, hash);
      const found = await order.placed(abandoned);
      if (found) {
        await this.replace(k, stored, { hash, status: 200, body: found });
        return found;
      }
      const retaken = this.claim(hash);
      if (await this.replace(k, stored, retaken.raw)) return this.first(k, hash, retaken.orderId, order);
    }
    throw OrderErrors.idempotencyKeyInProgress();
  }

  private claim(hash: string): { orderId: string; raw: string } {
    const orderId = newOrderId();
    return { orderId, raw: JSON.stringify({ hash, pending: true, orderId, since: Date.now() } satisfies Stored) };
  }

  /** The order id of a claim with this body whose request has run longer than any request can. */
  private abandoned(raw: string, hash: string): string | undefined {
    if (raw === LEGACY_PENDING) return undefined;
    const stored = JSON.parse(raw) as Stored;
    const stale = stored.pending && stored.since !== undefined && Date.now() - stored.since > this.abandonedAfterMs;
    return stale && stored.hash === hash ? stored.orderId : undefined;
  }

  private async replace(k: string, read: string, next: string | Stored): Promise<boolean> {
    const value = typeof next === 'string' ? next : JSON.stringify(next);
    const replaced = await (this.redis as RedisWithReplace).replaceIfUnchanged(k, read, value, TTL_SECONDS);
    return replaced === 1;
  }

  private async first<T extends object>(
    k: string,
    hash: string,
    orderId: string,
    order: OrderPlacement<T>,
  ): Promise<T> {
    try {
      const result = await order.place(orderId);
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

type RedisWithReplace = RedisClient & {
  replaceIfUnchanged(key: string, read: string, next: string, ttlSeconds: number): Promise<number>;
};
