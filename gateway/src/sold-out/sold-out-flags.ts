import type { RedisClient } from '@runrun/common';
import { AVAILABILITY_CHANNEL, parseAvailability } from '@runrun/contracts';
import type { Logger } from 'pino';

export type Refusal = 'sold-out' | 'unavailable';

/**
 * The products the order replicas said cannot be ordered now (libs/contracts availability.ts),
 * each until its flag expires or an "available" message clears it. Kept in memory: checking an
 * order against it costs no hop and no store.
 */
export class SoldOutFlags {
  private readonly flags = new Map<string, { refusal: Refusal; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies one message of the channel; anything that is not one is ignored. */
  apply(text: string): void {
    const message = parseAvailability(text);
    if (!message) return;
    if (message.state === 'available') this.flags.delete(message.productId);
    else this.flags.set(message.productId, { refusal: message.state, until: this.now() + message.ttlMs });
  }

  /** True when no product is flagged (expired flags are dropped): orders go through without being looked at. */
  get empty(): boolean {
    if (this.flags.size === 0) return true;
    const now = this.now();
    for (const [id, flag] of this.flags) if (flag.until <= now) this.flags.delete(id);
    return this.flags.size === 0;
  }

  /** The refusal for an order naming `productIds` (unavailable wins, as the order service's breaker gate answers first). */
  refusalFor(productIds: string[]): Refusal | undefined {
    const now = this.now();
    let refusal: Refusal | undefined;
    for (const id of productIds) {
      const flag = this.flags.get(id);
      if (!flag) continue;
      if (flag.until <= now) {
        this.flags.delete(id);
        continue;
      }
      if (flag.refusal === 'unavailable') return 'unavailable';
      refusal = 'sold-out';
    }
    return refusal;
  }

  /** Follows the channel on a connection of its own (a subscribing connection serves nothing else). */
  async follow(redis: RedisClient, logger: Logger): Promise<RedisClient> {
    const subscriber = redis.duplicate();
    subscriber.on('message', (_channel: string, text: string) => this.apply(text));
    // flags sent while the connection was away were missed: forget them all rather than keep stale ones
    subscriber.on('ready', () => this.flags.clear());
    subscriber.on('error', (err: unknown) => logger.warn({ err }, 'availability channel'));
    await subscriber.subscribe(AVAILABILITY_CHANNEL);
    return subscriber;
  }
}
