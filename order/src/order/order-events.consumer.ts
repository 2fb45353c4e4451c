import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaBus, LOGGER } from '@runrun/common';
import { PaymentFinalizedEvent, StockCheckFailedEvent, Topics } from '@runrun/contracts';
import type { Logger } from 'pino';
import { OrderLifecycle } from './order-lifecycle';
import { OrderStatus } from './order.entity';

const ENDED_WITHOUT_SALE = [OrderStatus.CANCEL, OrderStatus.CHECK_FAIL, OrderStatus.PAYMENT_FAIL];

/**
 * Payment outcomes. Every handler is a conditional status change, so a replayed or late event
 * changes nothing (the original threw and retried forever: D27).
 */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly kafka: KafkaBus,
    private readonly lifecycle: OrderLifecycle,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.subscribe<StockCheckFailedEvent & PaymentFinalizedEvent>(
      'order-group',
      [Topics.STOCK_CHECK_FAILED, Topics.PAYMENT_FINALIZED],
      async (event, { topic }) => {
        if (topic === Topics.STOCK_CHECK_FAILED) return this.stockCheckFailed(event.orderId);
        return event.isSuccess ? this.paid(event.orderId) : this.paymentFailed(event.orderId);
      },
    );
  }

  private async stockCheckFailed(orderId: string): Promise<void> {
    await this.lifecycle.transition(orderId, [OrderStatus.PAYMENT_PENDING], OrderStatus.CHECK_FAIL, { release: true });
  }

  private async paymentFailed(orderId: string): Promise<void> {
    await this.lifecycle.transition(orderId, [OrderStatus.PAYMENT_PENDING], OrderStatus.PAYMENT_FAIL, {
      release: true,
    });
  }

  /**
   * Paid: the order is placed. If it had ended meanwhile (e.g. cancelled as unpaid), the money and
   * the stock go back: order-cancelled makes product restore the stock and payment refund.
   */
  private async paid(orderId: string): Promise<void> {
    const placed = await this.lifecycle.transition(orderId, [OrderStatus.PAYMENT_PENDING], OrderStatus.ORDER_PLACED);
    if (placed) return;
    const refunded = await this.lifecycle.transition(orderId, ENDED_WITHOUT_SALE, OrderStatus.CANCEL, {
      cancelledEvent: true,
    });
    if (refunded) this.logger.warn({ orderId }, 'payment arrived for an order that had ended: refunding');
  }
}
