import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { backoffDelay, CONFIG, describeFailure, LOGGER, metricsRegistry } from '@runrun/common';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { EntityManager, Repository } from 'typeorm';
import type { PaymentConfig } from '../config';
import { CUSTOMER_DECISION, PG_CLIENT, PgClient, PgRefused } from '../pg/pg-client';
import { Refund, RefundReason, RefundStatus } from './refund.entity';

const RETRY_POLL_MS = 1000;
const RETRY_BATCH = 20;

let countWith: ((status: RefundStatus) => Promise<number>) | undefined;
const countGauge = (name: string, help: string, status: RefundStatus) =>
  new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      try {
        if (countWith) this.set(await countWith(status));
      } catch {
        // the database is away: the last value stays
      }
    },
  });
countGauge(
  'runrun_refunds_owed',
  'Charges to give back that the PG has not confirmed yet (retried)',
  RefundStatus.OWED,
);
countGauge(
  'runrun_refunds_needing_operator',
  'Refunds the PG refused: an operator settles them with the PG',
  RefundStatus.NEEDS_OPERATOR,
);
const refundAttempts = new Counter({
  name: 'runrun_refund_attempts_total',
  help: 'Cancels asked of the PG for owed refunds, by result (done, unavailable, refused)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export interface OwedRefund {
  paymentKey: string;
  orderId: string;
  amount: number;
  reason: RefundReason;
}

/**
 * Charges that must go back to the shopper. A refund is recorded first (`owe`, in the caller's
 * transaction when there is one), then asked of the PG (`attempt`); a PG that does not answer
 * leaves it owed, and every replica retries owed refunds with backoff (`REFUND_RETRY_SECONDS`,
 * doubling up to `REFUND_RETRY_MAX_SECONDS`) until the PG confirms. A PG that refuses (e.g. already
 * cancelled) is not asked again: the refund waits for an operator with the PG's answer.
 *
 * In process rather than a cron-jobs job: the retry needs the PG client and its secret, which only
 * payment has (cron-jobs works on order's database); and a shopper's money should go back within
 * seconds of the PG coming back, not at the next CronJob run.
 */
@Injectable()
export class Refunds implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private retrying?: Promise<void>;

  constructor(
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    @Inject(PG_CLIENT) private readonly pg: PgClient,
    @Inject(CONFIG) private readonly config: PaymentConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    countWith = (status) => this.refunds.countBy({ status });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.retrying ??= this.retryDue()
        .catch((err) => this.logger.warn({ err }, 'refund retry will run again'))
        .finally(() => (this.retrying = undefined));
    }, RETRY_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.retrying;
  }

  /**
   * Records that the charge must go back, once per charge. `again`: the charge is known to exist
   * (the PG just approved it), so a refund of that key that ended before (a cancel asked before the
   * charge, refused or accepted) is owed anew, and one under way is asked once more.
   */
  async owe(refund: OwedRefund, options: { tx?: EntityManager; again?: boolean } = {}): Promise<void> {
    const manager = options.tx ?? this.refunds.manager;
    await manager
      .createQueryBuilder()
      .insert()
      .into(Refund)
      .orIgnore()
      .values({ ...refund, status: RefundStatus.OWED, attempts: 0, nextAttemptAt: () => 'NOW(3)' })
      .execute();
    if (options.again) {
      await manager
        .createQueryBuilder()
        .update(Refund)
        .set({
          status: RefundStatus.OWED,
          reason: refund.reason,
          nextAttemptAt: () => 'NOW(3)',
          refundedAt: null,
          generation: () => 'generation + 1',
        })
        .where('payment_key = :paymentKey', { paymentKey: refund.paymentKey })
        .execute();
    }
  }

  /**
   * Asks the PG to cancel the charge now, if the refund is owed and due (one replica at a time:
   * the claim moves `next_attempt_at` past the PG's timeout). Returns the refund's status after it.
   */
  async attempt(paymentKey: string): Promise<RefundStatus | undefined> {
    const leaseUs = (this.config.pg.timeoutMs + 30_000) * 1000;
    const { affected } = await this.refunds
      .createQueryBuilder()
      .update(Refund)
      .set({ attempts: () => 'attempts + 1', nextAttemptAt: () => `NOW(3) + INTERVAL ${leaseUs} MICROSECOND` })
      .where('payment_key = :paymentKey AND status = :owed AND next_attempt_at <= NOW(3)', {
        paymentKey,
        owed: RefundStatus.OWED,
      })
      .execute();
    const refund = await this.refunds.findOneBy({ paymentKey });
    if (affected !== 1 || !refund) return refund?.status;
    // an `owe(again)` meanwhile bumps the generation: this outcome is then stale and the refund stays owed
    const mine = { paymentKey, status: RefundStatus.OWED, generation: refund.generation };
    const where = { orderId: refund.orderId, paymentKey, amount: refund.amount, attempts: refund.attempts };
    try {
      await this.pg.cancel(paymentKey, CUSTOMER_DECISION);
    } catch (error) {
      if (error instanceof PgRefused) {
        await this.refunds.update(mine, { status: RefundStatus.NEEDS_OPERATOR, pgAnswer: describeFailure(error) });
        refundAttempts.inc({ result: 'refused' });
        this.logger.error({ ...where, err: error }, 'the PG refused a refund: it needs an operator');
        return RefundStatus.NEEDS_OPERATOR;
      }
      const delayUs = backoffDelay(refund.attempts, this.backoff()) * 1000;
      await this.refunds
        .createQueryBuilder()
        .update(Refund)
        .set({ pgAnswer: describeFailure(error), nextAttemptAt: () => `NOW(3) + INTERVAL ${delayUs} MICROSECOND` })
        .where(mine)
        .execute();
      refundAttempts.inc({ result: 'unavailable' });
      this.logger.warn({ ...where, err: error, retryInMs: delayUs / 1000 }, 'refund not confirmed by the PG: owed');
      return RefundStatus.OWED;
    }
    await this.refunds.update(mine, { status: RefundStatus.DONE, refundedAt: () => 'NOW(3)' });
    refundAttempts.inc({ result: 'done' });
    this.logger.info(where, 'refunded at the PG');
    return RefundStatus.DONE;
  }

  /** Owed refunds whose time has come, oldest first. */
  async retryDue(): Promise<void> {
    const due = await this.refunds
      .createQueryBuilder('r')
      .select('r.paymentKey', 'paymentKey')
      .where('r.status = :owed AND r.next_attempt_at <= NOW(3)', { owed: RefundStatus.OWED })
      .orderBy('r.next_attempt_at')
      .limit(RETRY_BATCH)
      .getRawMany<{ paymentKey: string }>();
    for (const { paymentKey } of due) await this.attempt(paymentKey);
  }

  private backoff() {
    const { retrySeconds, maxRetrySeconds } = this.config.refunds;
    return { backoffMs: retrySeconds * 1000, maxBackoffMs: maxRetrySeconds * 1000 };
  }
}
