import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Audited } from '@runrun/mysql';

export enum RefundStatus {
  /** The charge must go back and has not yet: retried until the PG confirms the cancel. */
  OWED = 'OWED',
  /** The PG refused the cancel (its answer in `pg_answer`): an operator settles it with the PG. */
  NEEDS_OPERATOR = 'NEEDS_OPERATOR',
  /** The PG confirmed the cancel. */
  DONE = 'DONE',
}

/** Why a charge goes back. */
export enum RefundReason {
  /** The PG did not answer a confirm: it may have charged. */
  CONFIRM_TIMEOUT = 'CONFIRM_TIMEOUT',
  /** A paid order was cancelled or returned. */
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  /** The PG charged after the order had ended. */
  LATE_CHARGE = 'LATE_CHARGE',
  /** A payment stuck in TRYING was settled as failed when its order ended. */
  SETTLED_TRYING = 'SETTLED_TRYING',
}

/**
 * Table `refunds`: every charge the PG must give back, recorded before the PG is asked, so a cancel
 * that fails (PG down, process killed) is never forgotten. One row per charge (payment key).
 */
@Entity({ name: 'refunds' })
@Index('idx_status_next_attempt_at', ['status', 'nextAttemptAt'])
export class Refund extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'payment_key', length: 200, unique: true })
  paymentKey!: string;

  @Index('idx_refunds_order_id')
  @Column({ name: 'order_id', length: 100 })
  orderId!: string;

  @Column({ type: 'int' })
  amount!: number;

  @Column({ type: 'varchar', length: 20 })
  reason!: RefundReason;

  @Column({ type: 'varchar', length: 20 })
  status!: RefundStatus;

  /** Cancels asked of the PG so far. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Bumped when a refund is owed anew (a charge seen after a cancel was asked): a cancel asked before is stale. */
  @Column({ type: 'int', default: 0 })
  generation!: number;

  /** When the next cancel may be asked (backoff; also a lease while one is under way). */
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  /** The PG's last answer or error, for the operator. */
  @Column({ name: 'pg_answer', type: 'varchar', length: 1000, nullable: true })
  pgAnswer!: string | null;

  @Column({ name: 'refunded_at', type: 'datetime', precision: 3, nullable: true })
  refundedAt!: Date | null;
}
