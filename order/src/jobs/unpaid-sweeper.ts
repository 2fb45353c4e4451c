import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import type { OrderConfig } from '../config';
import { OrderJobs } from './order-jobs';

/**
 * Ends unpaid orders at their payment deadline, in the order service itself rather than in a
 * Kubernetes CronJob: the release of a reservation is carried out by this service's outbox relay
 * anyway, a window of minutes needs a sweep every few seconds (a CronJob runs at most once a
 * minute and starts a pod each time), and every replica sweeping keeps it going while any replica
 * runs. Sweeps of several replicas meet on the row lock of each order: one moves it, the others
 * find it moved.
 */
@Injectable()
export class UnpaidSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly jobs: OrderJobs,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { sweepIntervalMs } = this.config.payment;
    // replicas started together spread their sweeps over the interval
    const first = Math.floor(Math.random() * sweepIntervalMs);
    this.timer = setTimeout(() => this.tick(), first);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    const { windowMs, graceMs, sweepIntervalMs } = this.config.payment;
    this.running = this.jobs
      .expireUnpaid(windowMs, graceMs)
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ err }, 'unpaid order sweep failed; next one retries'))
      .finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(() => this.tick(), sweepIntervalMs);
      });
  }
}
