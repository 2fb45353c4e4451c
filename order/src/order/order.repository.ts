import { Injectable } from '@nestjs/common';
import { execute } from '@runrun/mysql';
import { DataSource, EntityManager, FindOptionsWhere, In, IsNull, LessThanOrEqual, MoreThan } from 'typeorm';
import { Order, OrderStatus } from './order.entity';

/** What a new order row holds; the id and audit columns take the table's defaults. */
export type NewOrder = Pick<
  Order,
  | 'orderId'
  | 'userId'
  | 'status'
  | 'products'
  | 'deliveryFees'
  | 'totalAmount'
  | 'totalDeliveryFee'
  | 'receiver'
  | 'paymentDeadline'
>;

/** An order as the scheduled jobs go through them: enough to move it. */
export type OrderRef = Pick<Order, 'id' | 'orderId'>;

/**
 * The hot path's INSERT, built once: TypeORM's query builder, which wrote it before, showed in CPU
 * profiles of the accepting path. Values as TypeORM wrote them: JSON columns as JSON text, dates
 * by the driver in UTC.
 */
const INSERT_ORDERS =
  'INSERT INTO orders (order_id, products, delivery_fees, total_amount, total_delivery_fee, status, receiver, ' +
  'user_id, payment_deadline) VALUES ';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_ORDER = INSERT_ORDERS + ROW;
/** The INSERT of n rows, by n: each size is one statement, prepared once per connection. */
const insertOrdersSql: string[] = [];
const insertRows = (n: number) => (insertOrdersSql[n] ??= INSERT_ORDERS + Array<string>(n).fill(ROW).join(', '));
const insertValues = (o: NewOrder) => [
  o.orderId,
  JSON.stringify(o.products),
  JSON.stringify(o.deliveryFees),
  o.totalAmount,
  o.totalDeliveryFee,
  o.status,
  JSON.stringify(o.receiver),
  o.userId,
  o.paymentDeadline,
];

/** Every statement on `orders`. */
@Injectable()
export class OrderRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get orders() {
    return this.dataSource.getRepository(Order);
  }

  /**
   * Writes a new order: in the caller's transaction `tx`, or alone as one prepared statement
   * (atomic without a transaction's extra round trips, and no read-back).
   */
  async insert(order: NewOrder, tx?: EntityManager): Promise<void> {
    if (tx) await tx.query(INSERT_ORDER, insertValues(order));
    else await execute(this.dataSource, INSERT_ORDER, insertValues(order));
  }

  /** Writes several new orders in one statement: every one of them, or (an error) none. */
  async insertMany(orders: NewOrder[]): Promise<void> {
    await execute(this.dataSource, insertRows(orders.length), orders.flatMap(insertValues));
  }

  async byId(id: string): Promise<Order | null> {
    return this.orders.findOneBy({ id });
  }

  async byOrderId(orderId: string): Promise<Order | null> {
    return this.orders.findOneBy({ orderId });
  }

  /** The shopper's orders, newest first. */
  async ofUser(userId: string, offset: number, limit: number): Promise<Order[]> {
    return this.orders.find({ where: { userId }, order: { id: 'DESC' }, skip: offset, take: limit });
  }

  /** Which of `orderIds` have a row. */
  async existing(orderIds: string[]): Promise<Set<string>> {
    if (!orderIds.length) return new Set();
    const rows = await this.orders.find({ select: { orderId: true }, where: { orderId: In(orderIds) } });
    return new Set(rows.map((r) => r.orderId));
  }

  /**
   * The order, locked in `tx` until it commits (SELECT … FOR UPDATE), if it is in one of the
   * `from` states: concurrent transitions of one order then run one after the other.
   */
  async lockForTransition(tx: EntityManager, orderId: string, from: OrderStatus[]): Promise<Order | null> {
    return tx
      .getRepository(Order)
      .findOne({ where: { orderId, status: In(from) }, lock: { mode: 'pessimistic_write' } });
  }

  async setStatus(tx: EntityManager, id: string, status: OrderStatus): Promise<void> {
    await tx.update(Order, { id }, { status });
  }

  /** Orders in `status` whose `age` column is at or before `cutoff`, by id after `afterId`. */
  async inStatusSince(
    status: OrderStatus,
    age: 'createdAt' | 'updatedAt',
    cutoff: Date,
    afterId: string,
    limit: number,
  ): Promise<OrderRef[]> {
    return this.refs({ status, [age]: LessThanOrEqual(cutoff) }, afterId, limit);
  }

  /** Unpaid orders whose payment deadline is at or before `cutoff`, by id after `afterId`. */
  async unpaidPastDeadline(cutoff: Date, afterId: string, limit: number): Promise<OrderRef[]> {
    return this.refs({ status: OrderStatus.PAYMENT_PENDING, paymentDeadline: LessThanOrEqual(cutoff) }, afterId, limit);
  }

  /** Unpaid orders from before deadlines were stored (none) created at or before `cutoff`. */
  async unpaidWithoutDeadlineSince(cutoff: Date, afterId: string, limit: number): Promise<OrderRef[]> {
    return this.refs(
      { status: OrderStatus.PAYMENT_PENDING, paymentDeadline: IsNull(), createdAt: LessThanOrEqual(cutoff) },
      afterId,
      limit,
    );
  }

  private async refs(where: FindOptionsWhere<Order>, afterId: string, limit: number): Promise<OrderRef[]> {
    return this.orders.find({
      select: { id: true, orderId: true },
      where: { ...where, id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: limit,
    });
  }
}
