import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Payment, PaymentStatus } from './payment.entity';

export type NewPayment = Pick<Payment, 'orderId' | 'orderName' | 'amount' | 'userId' | 'products'>;

/** What a status change may set besides the status. */
export type PaymentChanges = Partial<
  Pick<Payment, 'status' | 'method' | 'methodDetail' | 'requestedAt' | 'approvedAt'>
>;

/** Every statement on `payments`. */
@Injectable()
export class PaymentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async byOrderId(orderId: string): Promise<Payment | null> {
    return this.dataSource.getRepository(Payment).findOneBy({ orderId });
  }

  /** A PENDING payment for the order, unless it has one (two checkouts at once: one row). */
  async insertPendingIfAbsent(payment: NewPayment): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Payment)
      .orIgnore()
      .values({ ...payment, status: PaymentStatus.PENDING })
      .execute();
  }

  /**
   * PENDING → TRYING with the payment key, as one conditional UPDATE: of concurrent claims exactly
   * one gets true. Fails with ER_DUP_ENTRY when the key belongs to another payment.
   */
  async claim(orderId: string, paymentKey: string): Promise<boolean> {
    const { affected } = await this.dataSource
      .createQueryBuilder()
      .update(Payment)
      .set({ status: PaymentStatus.TRYING, paymentKey, version: () => 'version + 1' })
      .where('order_id = :orderId AND status = :pending', { orderId, pending: PaymentStatus.PENDING })
      .execute();
    return affected === 1;
  }

  /**
   * `from` → `changes` as one conditional UPDATE (in the caller's transaction `tx` when its events
   * go with it); false when the payment was not in `from` (someone else settled it).
   */
  async transition(orderId: string, from: PaymentStatus, changes: PaymentChanges, tx?: EntityManager) {
    const manager = tx ?? this.dataSource.manager;
    const { affected } = await manager.update(Payment, { orderId, status: from }, changes);
    return affected === 1;
  }
}
