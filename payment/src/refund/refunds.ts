import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { backoffDelay, CONFIG, describeFailure, LOGGER, metricsRegistry } from '@runrun/common';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { PaymentConfig } from '../config';
import { CUSTOMER_DECISION, PG_CLIENT, PgClient, PgRefused } from '../pg/pg-client';
import { RefundStatus } from './refund.entity';
import { NewRefund, RefundRepository } from './refund.repository';

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

export type OwedRefund = NewRefund;

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
    private readonly refunds: RefundRepository,
    @Inject(PG_CLIENT) private readonly pg: PgClient,
    @Inject(CONFIG) private readonly config: PaymentConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    countWith = (status) => this.refunds.count(status);
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
    await this.refunds.insertOwedIfAbsent(refund, options.tx);
    if (options.again) await this.refunds.oweAgain(refund.paymentKey, refund.reason, options.tx);
  }

  /**
   * Asks the PG to cancel the charge now, if the refund is owed and due (one replica at a time:
   * the claim moves `next_attempt_at` past the PG's timeout). Returns the refund's status after it.
   */
  async attempt(paymentKey: string): Promise<RefundStatus | undefined> {
    const leaseUs = (this.config.pg.timeoutMs + 30_000) * 1000;
    const claimed = await this.refunds.claimAttempt(paymentKey, leaseUs);
    const refund = await this.refunds.byPaymentKey(paymentKey);
    if (!claimed || !refund) return refund?.status;
    // an `owe(again)` meanwhile bumps the generation: this outcome is then stale and the refund stays owed
    const { generation } = refund;
    const where = { orderId: refund.orderId, paymentKey, amount: refund.amount, attempts: refund.attempts };
    try {
      await this.pg.cancel(paymentKey, CUSTOMER_DECISION);
    } catch (error) {
      if (error instanceof PgRefused) {
        await this.refunds.needsOperator(paymentKey, generation, describeFailure(error));
        refundAttempts.inc({ result: 'refused' });
        this.logger.error({ ...where, err: error }, 'the PG refused a refund: it needs an operator');
        return RefundStatus.NEEDS_OPERATOR;
      }
      const delayUs = backoffDelay(refund.attempts, this.backoff()) * 1000;
      await this.refunds.retryLater(paymentKey, generation, describeFailure(error), delayUs);
      refundAttempts.inc({ result: 'unavailable' });
      this.logger.warn({ ...where, err: error, retryInMs: delayUs / 1000 }, 'refund not confirmed by the PG: owed');
      return RefundStatus.OWED;
    }
    await this.refunds.done(paymentKey, generation);
    refundAttempts.inc({ result: 'done' });
    this.logger.info(where, 'refunded at the PG');
    return RefundStatus.DONE;
  }

  /** Owed refunds whose time has come, oldest first. */
  async retryDue(): Promise<void> {
    for (const paymentKey of await this.refunds.due(RETRY_BATCH)) await this.attempt(paymentKey);
  }

  private backoff() {
    const { retrySeconds, maxRetrySeconds } = this.config.refunds;
    return { backoffMs: retrySeconds * 1000, maxBackoffMs: maxRetrySeconds * 1000 };
  }
}
