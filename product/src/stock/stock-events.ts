import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaBus } from '@runrun/common';
import { OrderEvent, Topics } from '@runrun/contracts';
import { StockService } from './stock.service';

/** Consumes order-failed and order-cancelled: a paid order's stock goes back (once). */
@Injectable()
export class StockEvents implements OnApplicationBootstrap {
  constructor(
    private readonly kafka: KafkaBus,
    private readonly stock: StockService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const restore = (event: OrderEvent) => this.stock.restore(event.orderId);
    await this.kafka.subscribe<OrderEvent>('product-group', [Topics.ORDER_FAILED, Topics.ORDER_CANCELLED], restore);
  }
}
