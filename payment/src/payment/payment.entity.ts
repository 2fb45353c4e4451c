import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { Audited } from '@runrun/mysql';

export enum PaymentStatus {
  BLOCK = 'BLOCK',
  TRYING = 'TRYING',
  PENDING = 'PENDING',
  COMPLETE = 'COMPLETE',
  CANCEL = 'CANCEL',
}

/** Table `payments`, as the original: one row per order. */
@Entity({ name: 'payments' })
export class Payment extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', length: 100, unique: true })
  orderId!: string;

  @Column({ name: 'payment_key', type: 'varchar', length: 200, unique: true, nullable: true })
  paymentKey!: string | null;

  @Column({ name: 'order_name', length: 255 })
  orderName!: string;

  @Column({ type: 'int' })
  amount!: number;

  /** PG payment method, the original's Korean constant names (카드, 간편결제, …). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  method!: string | null;

  @Column({ type: 'varchar', length: 10 })
  status!: PaymentStatus;

  @Column({ name: 'method_detail', type: 'varchar', length: 255, nullable: true })
  methodDetail!: string | null;

  @Column({ name: 'requested_at', type: 'datetime', nullable: true })
  requestedAt!: Date | null;

  @Column({ name: 'approved_at', type: 'datetime', nullable: true })
  approvedAt!: Date | null;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: string;

  /** productId → quantity */
  @Column({ type: 'json' })
  products!: Record<string, number>;

  @VersionColumn()
  version!: number;
}
