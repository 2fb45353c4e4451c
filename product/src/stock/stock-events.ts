import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KafkaBus, LOGGER } from '@runrun/common';
import { OrderEvent, StockCheckFailedEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { STOCK_MOVEMENT_MODEL, StockMovementModel } from './stock-movement.schema';
import { StockService } from './stock.service';

const RELAY_INTERVAL_MS = 500;

/**
 * Stock's Kafka side: consumes order-failed and order-cancelled (give the stock back), and relays
 * the stock-check-failed events recorded with failed decreases (an outbox in the movement rows,
 * so an event survives a crash between the decision and the publish).
 */
@Injectable()
export class StockEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private relaying = false;

  constructor(
    private readonly kafka: KafkaBus,
    private readonly stock: StockService,
    @Inject(STOCK_MOVEMENT_MODEL) private readonly movements: StockMovementModel,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const restore = async (event: OrderEvent) => {
      if (typeof event?.orderId !== 'string' || !event.orderId)
        return this.logger.error({ event }, 'skipping a malformed order event');
      await this.stock.restore(event.orderId);
    };
    await this.kafka.subscribe<OrderEvent>('product-group', [Topics.ORDER_FAILED, Topics.ORDER_CANCELLED], restore);
    this.timer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async relay(): Promise<void> {
    if (this.relaying) return;
    this.relaying = true;
    try {
      const pending = await this.movements.find({ eventPending: true }).limit(100).lean().exec();
      for (const movement of pending) {
        const event: StockCheckFailedEvent = { orderId: movement.orderId };
        await this.kafka.publish(Topics.STOCK_CHECK_FAILED, event, {
          key: movement.orderId,
          eventId: `stock-check-failed:${movement.orderId}`,
        });
        await this.movements.updateOne({ orderId: movement.orderId, kind: 'decrease' }, { eventPending: false }).exec();
      }
    } catch (err) {
      this.logger.warn({ err }, 'stock event relay will retry');
    } finally {
      this.relaying = false;
    }
  }
}
