/** What the payment service needs from a payment gateway (PG). */
export interface PgConfirmation {
  status: 'DONE' | 'ABORTED';
  totalAmount: number;
  /** The PG's payment method name, e.g. 간편결제 (easy pay). */
  method: string;
  methodDetail: string;
  requestedAt: Date;
  approvedAt?: Date;
}

/** The PG did not answer in time or failed: whether it charged is unknown. */
export class PgUnavailable extends Error {}

export interface PgClient {
  confirm(request: { paymentKey: string; orderId: string; amount: number }): Promise<PgConfirmation>;
  cancel(paymentKey: string, reason: string): Promise<void>;
}

export const PG_CLIENT = Symbol('PG_CLIENT');
export const CUSTOMER_DECISION = '고객 변심으로 인한 취소'; // cancel reason: the customer changed their mind
