import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DependencyRegistry, KafkaBus, LOGGER, REDIS, RedisClient } from '@runrun/common';
import { StockChangedEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { ProductBreakers } from '../breaker/breakers';
import { Reservations } from './reservations';
import { RedisKeys } from '../redis-keys';
import { ProductAvailability } from '../availability/product-availability';

/** Every order replica hears a restock here, so each closes its own breaker of the product. */

/**
 * Sellers' stock changes (product's `stock-changed-events`) applied to the reservation counters,
 * once per event id. A restock closes the product's breaker on every replica: a product that
 * sold out must sell again at once, not after the breaker's open time.
 */
@Injectable()
export class StockChangesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly kafka: KafkaBus,
    private readonly reservations: Reservations,
    private readonly breakers: ProductBreakers,
    private readonly availability: ProductAvailability,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly dependencies: DependencyRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.dependencies.onShutdown(async () => void (await subscriber.quit().catch(() => undefined)));
    subscriber.on('message', (_channel: string, productId: string) => this.breakers.reset(productId));
    await subscriber.subscribe(RedisKeys.restockedChannel);

    await this.kafka.subscribe<StockChangedEvent>('order-stock-group', [Topics.STOCK_CHANGED], async (event, meta) => {
      const { productId, delta } = event;
      const applied = await this.reservations.adjust(productId, delta, meta.eventId);
      this.logger.info({ productId, delta, eventId: meta.eventId, applied }, 'stock change');
      if (delta > 0) {
        await this.redis.publish(RedisKeys.restockedChannel, productId);
        this.availability.available([productId]);
      }
    });
  }
}
