import { PgClient, PgConfirmation, PgUnavailable } from './pg-client';

/**
 * A PG to develop and test with, steered by the payment key: a key containing `decline` is
 * refused (ABORTED), one containing `timeout` never answers in time, one containing `slow` is
 * approved after 3 s (a shopper still paying when the order ends), any other is approved.
 */
export class MockPgClient implements PgClient {
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

  async cancel(): Promise<void> {}
}
