import { PgClient, PgConfirmation, PgRefused, PgUnavailable } from './pg-client';

/**
 * A PG to develop and test with, steered by the payment key: a key containing `decline` is
 * refused (ABORTED), one containing `timeout` never answers in time, one containing `slow` is
 * approved after 3 s (a shopper still paying when the order ends), any other is approved.
 * Cancels: a key containing `refunded` is refused as already cancelled (ALREADY_CANCELED_PAYMENT),
 * one containing `cancelfail<n>` gets no answer to its first n cancels (3 without n), as a PG that
 * is down and comes back.
 */
export class MockPgClient implements PgClient {
  /** Cancels asked per `cancelfail` key, in this process. */
  private readonly cancelAttempts = new Map<string, number>();

  constructor(private readonly timeoutMs: number) {}

  async confirm({
    paymentKey,
    amount,
  }: {
    paymentKey: string;
    orderId: string;
    amount: number;
  }): Promise<PgConfirmation> {
    if (paymentKey.includes('timeout')) {
      await new Promise((r) => setTimeout(r, Math.min(this.timeoutMs, 2000)));
      throw new PgUnavailable('mock PG timed out');
    }
    if (paymentKey.includes('slow')) await new Promise((r) => setTimeout(r, Math.min(this.timeoutMs, 3000)));
    const now = new Date();
    return {
      status: paymentKey.includes('decline') ? 'ABORTED' : 'DONE',
      totalAmount: amount,
      method: '간편결제',
      methodDetail: `EasyPay[provider=카카오페이, amount=${amount}, discountAmount=0]`,
      requestedAt: now,
      approvedAt: paymentKey.includes('decline') ? undefined : now,
    };
  }

  async cancel(paymentKey: string): Promise<void> {
    if (paymentKey.includes('refunded')) {
      throw new PgRefused('ALREADY_CANCELED_PAYMENT', 'mock PG: this payment was already cancelled');
    }
    const failing = /cancelfail(\d*)/.exec(paymentKey);
    if (failing) {
      const attempts = (this.cancelAttempts.get(paymentKey) ?? 0) + 1;
      this.cancelAttempts.set(paymentKey, attempts);
      if (attempts <= Number(failing[1] || 3)) throw new PgUnavailable(`mock PG cancel failed (attempt ${attempts})`);
      this.cancelAttempts.delete(paymentKey);
    }
  }
}
