import { PgClient, PgConfirmation, PgRefused, PgUnavailable } from './pg-client';

interface TossPayment {
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
    if (res.status >= 500) throw new PgUnavailable(`Toss answered ${res.status}`);
    const payment = (await res.json()) as TossPayment;
    const done = res.ok && payment.status === 'DONE';
    return {
      status: done ? 'DONE' : 'ABORTED',
      totalAmount: payment.totalAmount ?? request.amount,
      method: payment.method ?? '',
      methodDetail: JSON.stringify(
        payment.easyPay ?? payment.card ?? payment.virtualAccount ?? payment.transfer ?? payment.mobilePhone ?? {},
      ).slice(0, 255),
      requestedAt: payment.requestedAt ? new Date(payment.requestedAt) : new Date(),
      approvedAt: payment.approvedAt ? new Date(payment.approvedAt) : undefined,
    };
  }

  async cancel(paymentKey: string, reason: string): Promise<void> {
    const res = await this.post(`/${encodeURIComponent(paymentKey)}/cancel`, { cancelReason: reason });
    if (res.ok) return;
    // 4xx is Toss's answer about this payment (ALREADY_CANCELED_PAYMENT, NOT_CANCELABLE_PAYMENT, …);
    // 5xx, 408 and 429 may pass
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      throw new PgUnavailable(`Toss could not cancel now: ${res.status}`);
    }
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new PgRefused(body.code ?? `HTTP_${res.status}`, body.message ?? 'Toss refused the cancel');
  }
}
