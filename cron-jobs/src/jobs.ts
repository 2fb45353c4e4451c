import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@runrun/common';
import { OrderJobs } from '@runrun/order/jobs';
import { DataSource } from 'typeorm';
import type { CronConfig } from './config';

export type Job = () => Promise<unknown>;

/**
 * Jobs by name; each runs one-shot from the command line (Kubernetes CronJobs call them so). Their
 * effects on Redis and Kafka go through the order service's outbox, which its relay carries out.
 */
@Injectable()
export class Jobs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderJobs,
    @Inject(CONFIG) private readonly config: CronConfig,
  ) {}

  readonly all: Record<string, Job> = {
    'order-cancel': () =>
      this.config.unpaidTimeoutMinutes === undefined
        ? this.orders.expireUnpaid(this.config.payment.windowMs, this.config.payment.graceMs)
        : this.orders.cancelUnpaid(this.config.unpaidTimeoutMinutes * 60_000),
    'order-return': () => this.orders.completeReturns(),
    shipping: () => this.orders.advanceShipping(),
    /** The jobs reach their database, in UTC (deployment smoke test). */
    check: () => this.dataSource.query('SELECT @@session.time_zone AS timeZone'),
  };
}
