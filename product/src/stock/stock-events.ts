import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KafkaBus, LOGGER } from '@runrun/common';
import { OrderEvent, StockCheckFailedEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { STOCK_EVENT_OUTBOX_MODEL, StockEventOutboxModel } from './stock-movement.schema';
import { StockService } from './stock.service';

const RELAY_INTERVAL_MS = 500;

/**
 * Stock's Kafka side: consumes order-failed and order-cancelled (give the stock back), and relays
 * the stock-check-failed events that failed decreases leave in the outbox (so an event survives a
 * crash between the decision and the publish).
 */
@Injectable()
export class StockEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private relaying = false;

  constructor(
    private readonly kafka: KafkaBus,
    private readonly stock: StockService,
    @Inject(STOCK_EVENT_OUTBOX_MODEL) private readonly outbox: StockEventOutboxModel,
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
      const pending = await this.outbox.find().limit(500).lean().exec();
      if (!pending.length) return;
      await this.kafka.publishMany(
        Topics.STOCK_CHECK_FAILED,
        pending.map(({ _id: orderId }) => ({
          payload: { orderId } satisfies StockCheckFailedEvent,
          options: { key: orderId, eventId: `stock-check-failed:${orderId}` },
        })),
      );
      await this.outbox.deleteMany({ _id: { $in: pending.map((e) => e._id) } }).exec();
    } catch (err) {
      this.logger.warn({ err }, 'stock event relay will retry');
    } finally {
      this.relaying = false;
    }
  }
}
