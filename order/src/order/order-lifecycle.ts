import { Injectable } from '@nestjs/common';
import { OrderCancelledEvent, Topics } from '@runrun/contracts';
import { enqueueEvent, transaction } from '@runrun/mysql';
import { DataSource } from 'typeorm';
import { ReleasePayload, RESERVATION_RELEASE, reservedItems, UNPAID_SETTLED } from '../reservation/reservations';
import { Order, OrderStatus } from './order.entity';
import { OrderRepository } from './order.repository';

export const productQuantity = (order: Order): Record<string, number> =>
  Object.fromEntries(Object.entries(order.products).map(([id, p]) => [id, p.quantity]));

export interface Effects {
  /**
   * Give the reservation back (the order ends without a sale, or its goods are back on sale): the
   * stock counters, the shopper's units of limited products and its place in their unpaid set.
   */
  release?: boolean;
  /** Tell product (restore stock) and payment (refund) with order-cancelled-events. */
  cancelledEvent?: boolean;
}

/**
 * Every status change of an existing order goes through here: a conditional change under a row
 * lock, with its effects written to the outbox in the same transaction (the order service's relay
 * carries them out, also for changes made by the cron jobs). Whoever changes the
 * status owns the effects, so two paths ending one order (a consumer and the cron, two cron runs,
 * a replayed event) release its reservation once.
 */
@Injectable()
export class OrderLifecycle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
  ) {}

  /** The order after the change, or undefined when it was not in one of the `from` states. */
  async transition(
    orderId: string,
    from: OrderStatus[],
    to: OrderStatus,
    effects: Effects = {},
  ): Promise<Order | undefined> {
    return transaction(this.dataSource, async (tx) => {
      const order = await this.orders.lockForTransition(tx, orderId, from);
      if (!order) return undefined;
      await this.orders.setStatus(tx, order.id, to);
      const userId = Number(order.userId);
      if (effects.release) {
        const release: ReleasePayload = { orderId, userId, items: reservedItems(order) };
        await enqueueEvent(tx, RESERVATION_RELEASE, release);
      } else if (order.status === OrderStatus.PAYMENT_PENDING) {
        // paid: the order keeps its units but no longer counts as unpaid
        await enqueueEvent(tx, UNPAID_SETTLED, { orderId, userId });
      }
      if (effects.cancelledEvent) {
        const event: OrderCancelledEvent = { orderId, productQuantity: productQuantity(order) };
        await enqueueEvent(tx, Topics.ORDER_CANCELLED, event, orderId);
      }
      return { ...order, status: to };
    });
  }
}
