import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { Effects, OrderLifecycle } from '../order/order-lifecycle';
import { OrderStatus } from '../order/order.entity';
import { OrderRef, OrderRepository } from '../order/order.repository';

const DAY_MS = 24 * 3600_000;
const BATCH = 500;
/** An unpaid order that ran out of time: reservation back; payment can no longer take it. */
const UNPAID_EXPIRED: Effects = { release: true, cancelledEvent: true };

/**
 * The scheduled jobs on orders (run by cron-jobs). Each order moves through the lifecycle's
 * conditional change, so two runs at once never move an order twice or release twice.
 */
@Injectable()
export class OrderJobs {
  constructor(
    private readonly orders: OrderRepository,
    private readonly lifecycle: OrderLifecycle,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Unpaid orders older than the timeout are cancelled, their reservations given back (D26, D36).
   * With UNPAID_ORDER_TIMEOUT_MINUTES set, the cron job does this instead of `expireUnpaid`.
   */
  async cancelUnpaid(timeoutMs: number): Promise<number> {
    return this.move(OrderStatus.PAYMENT_PENDING, OrderStatus.CANCEL, timeoutMs, 'createdAt', UNPAID_EXPIRED);
  }

  /**
   * Unpaid orders whose payment deadline passed more than `graceMs` ago are cancelled: their
   * reservation, the shopper's units and unpaid-set entry come back, payment can no longer take
   * them. Orders from before deadlines were stored use created_at + `windowMs`. Run by every order
   * replica every few seconds (and by the order-cancel job); the conditional change under a row
   * lock makes concurrent sweeps harmless.
   */
  async expireUnpaid(windowMs: number, graceMs: number): Promise<number> {
    const cutoff = new Date(Date.now() - graceMs);
    const legacyCutoff = new Date(cutoff.getTime() - windowMs);
    let moved = 0;
    for (const unpaid of [
      (afterId: string) => this.orders.unpaidPastDeadline(cutoff, afterId, BATCH),
      (afterId: string) => this.orders.unpaidWithoutDeadlineSince(legacyCutoff, afterId, BATCH),
    ]) {
      let afterId = '0';
      for (;;) {
        const batch: OrderRef[] = await unpaid(afterId);
        for (const order of batch) {
          const done = await this.lifecycle.transition(
            order.orderId,
            [OrderStatus.PAYMENT_PENDING],
            OrderStatus.CANCEL,
            UNPAID_EXPIRED,
          );
          if (done) moved++;
        }
        if (batch.length < BATCH) break;
        afterId = batch[batch.length - 1].id;
      }
    }
    if (moved) this.logger.info({ moved }, 'unpaid orders past their payment deadline cancelled');
    return moved;
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
      const batch = await this.orders.inStatusSince(from, age, cutoff, afterId, BATCH);
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
