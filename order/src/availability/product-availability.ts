import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, LOGGER, REDIS, RedisClient } from '@runrun/common';
import { AVAILABILITY_CHANNEL, AvailabilityMessage } from '@runrun/contracts';
import type { Logger } from 'pino';
import type { OrderConfig } from '../config';

/**
 * Tells the gateways when a product can no longer be ordered and when it can again (Redis
 * pub/sub, libs/contracts availability.ts), so they refuse a sold-out crowd at the door. A
 * sold-out flag lives `SOLD_OUT_FLAG_MS` and is sent again at most twice per lifetime per product
 * while orders keep reaching this replica; an open breaker's flag lives until it half-opens.
 * Publishing is best effort: a lost message costs a hop (or a refusal until the flag expires),
 * never a sale, since the reservation counter stays the only judge.
 */
@Injectable()
export class ProductAvailability {
  private readonly lastSoldOut = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The product's counter is at zero. */
  soldOut(productId: string): void {
    const ttlMs = this.config.soldOutFlagMs;
    if (ttlMs <= 0) return;
    const now = Date.now();
    if (now - (this.lastSoldOut.get(productId) ?? 0) < ttlMs / 2) return;
    this.lastSoldOut.set(productId, now);
    if (this.lastSoldOut.size > 10_000) this.lastSoldOut.clear();
    this.publish({ productId, state: 'sold-out', ttlMs });
  }

  /** The product's breaker opened: orders are refused until it half-opens. */
  unavailable(productId: string, ttlMs: number): void {
    if (this.config.soldOutFlagMs > 0) this.publish({ productId, state: 'unavailable', ttlMs });
  }

  /** Units came back or the breaker let orders through again. */
  available(productIds: string[]): void {
    if (this.config.soldOutFlagMs <= 0) return;
    for (const productId of new Set(productIds)) {
      this.lastSoldOut.delete(productId);
      this.publish({ productId, state: 'available' });
    }
  }

  private publish(message: AvailabilityMessage): void {
    this.redis.publish(AVAILABILITY_CHANNEL, JSON.stringify(message)).catch((err: unknown) => {
      this.logger.warn({ err, productId: message.productId }, 'availability not published');
    });
  }
}
