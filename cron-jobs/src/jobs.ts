import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

export type Job = () => Promise<void>;

/** Jobs by name; each runs one-shot from the command line (Kubernetes CronJobs call them so). */
@Injectable()
export class Jobs {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  readonly all: Record<string, Job> = {
    /** Checks that the jobs reach their database (used by deployment smoke tests). */
    check: async () => {
      await this.dataSource.query('SELECT 1');
      this.logger.info('database reachable');
    },
  };
}
