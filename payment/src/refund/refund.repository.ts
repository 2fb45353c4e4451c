import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Refund, RefundReason, RefundStatus } from './refund.entity';

export type NewRefund = Pick<Refund, 'paymentKey' | 'orderId' | 'amount' | 'reason'>;

/**
 * Every statement on `refunds`. Times are the database's (`NOW(3)`), so replicas with skewed clocks
 * agree on when a refund is due.
 */
@Injectable()
export class RefundRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get refunds() {
    return this.dataSource.getRepository(Refund);
  }

  async byPaymentKey(paymentKey: string): Promise<Refund | null> {
    return this.refunds.findOneBy({ paymentKey });
  }

  async count(status: RefundStatus): Promise<number> {
    return this.refunds.countBy({ status });
  }

  /** Owed and due now, unless the charge already has a refund (in the caller's transaction `tx`). */
  async insertOwedIfAbsent(refund: NewRefund, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource.manager)
      .createQueryBuilder()
      .insert()
      .into(Refund)
      .orIgnore()
      .values({ ...refund, status: RefundStatus.OWED, attempts: 0, nextAttemptAt: () => 'NOW(3)' })
      .execute();
  }

  /** Owed anew and due now, whatever its state; a cancel asked before is stale (generation). */
  async oweAgain(paymentKey: string, reason: RefundReason, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource.manager)
      .createQueryBuilder()
      .update(Refund)
      .set({
        status: RefundStatus.OWED,
        reason,
        nextAttemptAt: () => 'NOW(3)',
        refundedAt: null,
        generation: () => 'generation + 1',
      })
      .where('payment_key = :paymentKey', { paymentKey })
      .execute();
  }

  /**
   * Takes an owed, due refund for one attempt: counts it and moves `next_attempt_at` `leaseUs`
   * ahead (a lease: no other replica asks meanwhile). False when it was not owed or not due.
   */
  async claimAttempt(paymentKey: string, leaseUs: number): Promise<boolean> {
    const { affected } = await this.refunds
      .createQueryBuilder()
      .update(Refund)
      .set({ attempts: () => 'attempts + 1', nextAttemptAt: () => `NOW(3) + INTERVAL ${leaseUs} MICROSECOND` })
      .where('payment_key = :paymentKey AND status = :owed AND next_attempt_at <= NOW(3)', {
        paymentKey,
        owed: RefundStatus.OWED,
      })
      .execute();
    return affected === 1;
  }

  /** The PG confirmed the cancel of the attempt made at `generation`. */
  async done(paymentKey: string, generation: number): Promise<void> {
    await this.refunds.update(this.attemptOf(paymentKey, generation), {
      status: RefundStatus.DONE,
      refundedAt: () => 'NOW(3)',
    });
  }

  /** The PG refused the cancel of the attempt made at `generation`: left to an operator. */
  async needsOperator(paymentKey: string, generation: number, pgAnswer: string): Promise<void> {
    await this.refunds.update(this.attemptOf(paymentKey, generation), {
      status: RefundStatus.NEEDS_OPERATOR,
      pgAnswer,
    });
  }

  /** The attempt made at `generation` got no answer: asked again in `delayUs`. */
  async retryLater(paymentKey: string, generation: number, pgAnswer: string, delayUs: number): Promise<void> {
    await this.refunds
      .createQueryBuilder()
      .update(Refund)
      .set({ pgAnswer, nextAttemptAt: () => `NOW(3) + INTERVAL ${delayUs} MICROSECOND` })
      .where(this.attemptOf(paymentKey, generation))
      .execute();
  }

  /** Payment keys of owed refunds whose time has come, oldest first. */
  async due(limit: number): Promise<string[]> {
    const rows = await this.refunds
      .createQueryBuilder('r')
      .select('r.paymentKey', 'paymentKey')
      .where('r.status = :owed AND r.next_attempt_at <= NOW(3)', { owed: RefundStatus.OWED })
      .orderBy('r.next_attempt_at')
      .limit(limit)
      .getRawMany<{ paymentKey: string }>();
    return rows.map((r) => r.paymentKey);
  }

  /** Still owed at the generation the attempt was made: an `oweAgain` meanwhile makes it stale. */
  private attemptOf(paymentKey: string, generation: number) {
    return { paymentKey, status: RefundStatus.OWED, generation };
  }
}
