import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Audited } from '@runrun/mysql';

/** Order statuses, in the original's order. */
export enum OrderStatus {
  CHECK_FAIL = 'CHECK_FAIL',
  PAYMENT_FAIL = 'PAYMENT_FAIL',
  PAYMENT_PENDING = 'PAYMENT_PENDING',
  ORDER_PLACED = 'ORDER_PLACED',
  IN_TRANSIT = 'IN_TRANSIT',
  DELIVERED = 'DELIVERED',
  ORDER_COMPLETED = 'ORDER_COMPLETED',
  CANCEL = 'CANCEL',
  BEING_RETURNED = 'BEING_RETURNED',
  RETURN_COMPLETED = 'RETURN_COMPLETED',
}

export interface OrderProduct {
  name: string;
  quantity: number;
  thumbnail: string;
  brandId: number;
  brandName: string;
  /** discountedPrice × quantity */
  amount: number;
  status: 'ORDER_PLACED' | 'ORDER_CANCELED';
  /** Set when the product had a purchase limit: the units count on the shopper's counter. */
  perShopper?: boolean;
}

export interface Receiver {
  name: string;
  address: string;
  zipCode: string;
  phone: string;
}

/** Table `orders`, as the original. `orderId` is the business id shoppers and payment see. */
@Entity({ name: 'orders' })
@Index('idx_user_id', ['userId'])
@Index('idx_status_payment_deadline', ['status', 'paymentDeadline'])
export class Order extends Audited {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', length: 255, unique: true })
  orderId!: string;

  /** productId → OrderProduct */
  @Column({ type: 'json' })
  products!: Record<string, OrderProduct>;

  /** brandId → delivery fee */
  @Column({ name: 'delivery_fees', type: 'json' })
  deliveryFees!: Record<string, number>;

  @Column({ name: 'total_amount', type: 'int' })
  totalAmount!: number;

  @Column({ name: 'total_delivery_fee', type: 'int' })
  totalDeliveryFee!: number;

  @Column({ type: 'varchar', length: 20 })
  status!: OrderStatus;

  @Column({ type: 'json' })
  receiver!: Receiver;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: string;

  /**
   * Until when the order may be paid (PAYMENT_WINDOW_SECONDS after it was placed); afterwards it
   * is cancelled and its reservation released. Null on orders from before the window existed:
   * their deadline is created_at + the window.
   */
  @Column({ name: 'payment_deadline', type: 'datetime', precision: 3, nullable: true })
  paymentDeadline!: Date | null;
}

/** Epoch ms until which the order may be paid. */
export const paymentDeadlineOf = (o: Pick<Order, 'paymentDeadline' | 'createdAt'>, windowMs: number): number =>
  o.paymentDeadline ? o.paymentDeadline.getTime() : o.createdAt.getTime() + windowMs;

export const paymentAmount = (o: Order): number => o.totalAmount + o.totalDeliveryFee;

/** Name of the first product, or "<first> 외<n-1>건" ("and n-1 more") as the original. */
export function orderName(o: Order): string {
  const names = Object.values(o.products).map((p) => p.name);
  return names.length > 1 ? `${names[0]} 외${names.length - 1}건` : (names[0] ?? '');
}
