import { PgClient, PgConfirmation, PgRefused, PgUnavailable } from './pg-client';

export interface TossPayment {
  status: string;
  totalAmount: number;
  method: string;
  requestedAt: string;
  approvedAt?: string;
  easyPay?: { provider: string; amount: number; discountAmount: number };
  card?: { company?: string; number?: string };
  virtualAccount?: unknown;
  transfer?: unknown;
  mobilePhone?: unknown;
}

interface TossError {
  code?: string;
  message?: string;
}

/** Toss Payments REST API (as the original): confirm and cancel with the secret key. */
export class TossPgClient implements PgClient {
  constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  private async post(path: string, body: object): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${this.secret}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PgUnavailable(`Toss did not answer: ${(error as Error).message}`);
    }
  }

  async confirm(request: { paymentKey: string; orderId: string; amount: number }): Promise<PgConfirmation> {
    const res = await this.post('/confirm', { ...request, amount: String(request.amount) });
    const payment = res.status >= 500 ? {} : ((await res.json()) as Partial<TossPayment>);
    return tossConfirmation(res.status, payment, request.amount);
  }

  async cancel(paymentKey: string, reason: string): Promise<void> {
    const res = await this.post(`/${encodeURIComponent(paymentKey)}/cancel`, { cancelReason: reason });
    if (res.ok) return;
    throw tossCancelFailure(res.status, (await res.json().catch(() => ({}))) as TossError);
  }
}

/** Toss's answer to a confirm: 5xx leaves the outcome unknown; only a 2xx saying DONE charged. */
export function tossConfirmation(httpStatus: number, payment: Partial<TossPayment>, amount: number): PgConfirmation {
  if (httpStatus >= 500) throw new PgUnavailable(`Toss answered ${httpStatus}`);
  const done = httpStatus >= 200 && httpStatus < 300 && payment.status === 'DONE';
  return {
    status: done ? 'DONE' : 'ABORTED',
    totalAmount: payment.totalAmount ?? amount,
    method: payment.method ?? '',
    methodDetail: JSON.stringify(
      payment.easyPay ?? payment.card ?? payment.virtualAccount ?? payment.transfer ?? payment.mobilePhone ?? {},
    ).slice(0, 255),
    requestedAt: payment.requestedAt ? new Date(payment.requestedAt) : new Date(),
    approvedAt: payment.approvedAt ? new Date(payment.approvedAt) : undefined,
  };
}

/**
 * Why Toss did not cancel. A 4xx is its answer about this payment (ALREADY_CANCELED_PAYMENT,
 * NOT_CANCELABLE_PAYMENT, …): refused. 5xx, 408 and 429 may pass: asked again.
 */
export function tossCancelFailure(httpStatus: number, body: TossError): PgUnavailable | PgRefused {
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429) {
    return new PgUnavailable(`Toss could not cancel now: ${httpStatus}`);
  }
  return new PgRefused(body.code ?? `HTTP_${httpStatus}`, body.message ?? 'Toss refused the cancel');
}
