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

/** The PG did not answer in time or failed: whether it charged (or cancelled) is unknown. */
export class PgUnavailable extends Error {
  override name = 'PgUnavailable';
}

/**
 * The PG answered and refused (e.g. a cancel of a payment already cancelled): asking again gets
 * the same answer, so it is recorded for an operator rather than retried.
 */
export class PgRefused extends Error {
  override name = 'PgRefused';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface PgClient {
  confirm(request: { paymentKey: string; orderId: string; amount: number }): Promise<PgConfirmation>;
  /** Throws PgUnavailable when it may be asked again, PgRefused when the PG said no. */
  cancel(paymentKey: string, reason: string): Promise<void>;
}

export const PG_CLIENT = Symbol('PG_CLIENT');
export const CUSTOMER_DECISION = '고객 변심으로 인한 취소'; // cancel reason: the customer changed their mind
