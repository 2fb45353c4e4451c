import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaBus } from '@runrun/common';
import { OrderCancelledEvent, Topics } from '@runrun/contracts';
import { PaymentService } from './payment.service';

/** order-cancelled: a paid order is refunded; an unpaid one can no longer be paid (D35). */
@Injectable()
export class OrderCancelledConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly kafka: KafkaBus,
    private readonly payments: PaymentService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.subscribe<OrderCancelledEvent>('payment-group', [Topics.ORDER_CANCELLED], async (event) => {
      await this.payments.orderCancelled(event.orderId);
    });
  }
}
