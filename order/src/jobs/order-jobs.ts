import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { Effects, OrderLifecycle } from '../order/order-lifecycle';
import { Order, OrderStatus } from '../order/order.entity';

const DAY_MS = 24 * 3600_000;
const BATCH = 500;

/**
 * The scheduled jobs on orders (run by cron-jobs). Each order moves through the lifecycle's
 * conditional change, so two runs at once never move an order twice or release twice.
 */
@Injectable()
export class OrderJobs {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly lifecycle: OrderLifecycle,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Unpaid orders older than the timeout are cancelled, their reservations given back (D26, D36). */
  async cancelUnpaid(timeoutMs: number): Promise<number> {
    return this.move(OrderStatus.PAYMENT_PENDING, OrderStatus.CANCEL, timeoutMs, 'createdAt', {
      release: true,
      cancelledEvent: true, // payment: the order can no longer be paid
    });
  }

  /** Returned goods are back: stock and reservation return, payment refunds (D37). */
  async completeReturns(): Promise<number> {
    return this.move(OrderStatus.BEING_RETURNED, OrderStatus.RETURN_COMPLETED, 0, 'updatedAt', {
      release: true,
      cancelledEvent: true,
    });
  }

  /**
   * One shipping stage per order per run, later stages first, so an order moved now waits for the
   * next run (D38): DELIVERED → ORDER_COMPLETED after 2 days, IN_TRANSIT → DELIVERED and
   * ORDER_PLACED → IN_TRANSIT after 1 day.
   */
  async advanceShipping(): Promise<number> {
    let moved = await this.move(OrderStatus.DELIVERED, OrderStatus.ORDER_COMPLETED, 2 * DAY_MS, 'updatedAt');
    moved += await this.move(OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED, DAY_MS, 'updatedAt');
    moved += await this.move(OrderStatus.ORDER_PLACED, OrderStatus.IN_TRANSIT, DAY_MS, 'updatedAt');
    return moved;
  }

  private async move(
    from: OrderStatus,
    to: OrderStatus,
    olderThanMs: number,
    age: 'createdAt' | 'updatedAt',
    effects: Effects = {},
  ): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    let moved = 0;
    let afterId = '0';
    for (;;) {
      const batch = await this.orders.find({
        select: { id: true, orderId: true },
        where: { status: from, [age]: LessThanOrEqual(cutoff), id: MoreThan(afterId) },
        order: { id: 'ASC' },
        take: BATCH,
      });
      for (const order of batch) {
        if (await this.lifecycle.transition(order.orderId, [from], to, effects)) moved++;
      }
      if (batch.length < BATCH) break;
      afterId = batch[batch.length - 1].id;
    }
    this.logger.info({ from, to, moved }, 'orders moved');
    return moved;
  }
}
