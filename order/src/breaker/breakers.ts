import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, metricsRegistry } from '@runrun/common';
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { Counter, Gauge } from 'prom-client';
import type { OrderConfig } from '../config';
import { ProductAvailability } from '../availability/product-availability';

const rejected = new Counter({
  name: 'order_breaker_rejected_total',
  help: 'Orders refused at once because a product breaker was open (no Redis or gRPC call)',
  registers: [metricsRegistry],
});
const opened = new Counter({
  name: 'order_breaker_opened_total',
  help: 'Times a product breaker opened',
  registers: [metricsRegistry],
});

/** The outcome an order had for one product, replayed into its breaker. */
const outcome = async (failed: boolean) => {
  if (failed) throw new Error('product unavailable');
};

/**
 * One circuit breaker per product (opossum), created on first use and dropped after 10 idle
 * minutes. Sold-out counts as a failure, as in the original (not-yet-open does not: a rush before
 * the opening would start the sale with 503s); a product that keeps
 * failing opens its breaker, and its orders are refused at once (503) while other products sell.
 * After the open time one order goes through (half-open); if the product is available again (a
 * cancellation gave stock back) the breaker closes.
 */
@Injectable()
export class ProductBreakers {
  private readonly breakers = new LRUCache<string, CircuitBreaker<[boolean], void>>({
    max: 10_000,
    ttl: 10 * 60_000,
    updateAgeOnGet: true,
    dispose: (breaker) => breaker.shutdown(),
  });

  constructor(
    @Inject(CONFIG) private readonly config: OrderConfig,
    private readonly availability: ProductAvailability,
  ) {
    const breakers = this.breakers;
    new Gauge({
      name: 'order_breakers_open',
      help: 'Product breakers open right now',
      registers: [metricsRegistry],
      collect() {
        let open = 0;
        breakers.forEach((b) => (open += b.opened ? 1 : 0));
        this.set(open);
      },
    });
  }

  private breaker(productId: string): CircuitBreaker<[boolean], void> {
    let breaker = this.breakers.get(productId);
    if (!breaker) {
      const { volumeThreshold, errorThresholdPercentage, resetTimeoutMs, rollingWindowMs } = this.config.breaker;
      breaker = new CircuitBreaker(outcome, {
        name: `ORDER${productId}`,
        volumeThreshold,
        errorThresholdPercentage,
        resetTimeout: resetTimeoutMs,
        rollingCountTimeout: rollingWindowMs,
        rollingCountBuckets: 10,
        timeout: false,
      });
      breaker.on('open', () => {
        opened.inc();
        // the gateways refuse its orders too, until it half-opens
        this.availability.unavailable(productId, resetTimeoutMs);
      });
      breaker.on('halfOpen', () => this.availability.available([productId]));
      breaker.on('close', () => this.availability.available([productId]));
      this.breakers.set(productId, breaker);
    }
    return breaker;
  }

  /** Each product with a breaker and its state (the hot products, at most the cache's size). */
  states(): Map<string, 'closed' | 'half-open' | 'open'> {
    const states = new Map<string, 'closed' | 'half-open' | 'open'>();
    this.breakers.forEach((b, productId) =>
      states.set(productId, b.opened ? 'open' : b.halfOpen ? 'half-open' : 'closed'),
    );
    return states;
  }

  /** False when any of the products has its breaker open: refuse the order without touching Redis. */
  allow(productIds: string[]): boolean {
    const open = productIds.some((id) => this.breakers.get(id)?.opened);
    if (open) rejected.inc();
    return !open;
  }

  /** Stock came back (a seller's restock): the product sells again at once. */
  reset(productId: string): void {
    this.breakers.delete(productId);
  }

  record(productId: string, failed: boolean): void {
    this.breaker(productId)
      .fire(failed)
      .catch(() => undefined);
  }
}
