import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DependencyRegistry, LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { StockService } from './stock.service';

const ROUND_MS = 1000;

/**
 * Every replica, every second: copies the decisions of movements to their rows (many at once),
 * clears the marks of decided movements that no later update cleared, and finishes the movements
 * left open past their grace period (a call that died, or failed on a store, half way;
 * StockService.recover): a decrease is rolled back, a restore completed. Replicas meet under the
 * products' locks: the first takes a movement over, the others find it finished.
 */
@Injectable()
export class StockRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly stock: StockService,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dependencies: DependencyRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
    this.dependencies.onStop('stock recovery', () => this.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, ROUND_MS);
  }

  /** One round; each due movement on its own, so one that cannot be finished yet holds no other. */
  async round(): Promise<void> {
    try {
      while ((await this.stock.recordDecisions()) === 500 && !this.stopped);
      await this.stock.clearMarks();
    } catch (err) {
      this.logger.warn({ err }, 'stock decisions recorded in a later round');
    }
    let due: string[];
    try {
      due = await this.stock.dueForRecovery();
    } catch (err) {
      this.logger.warn({ err }, 'stock recovery will look again');
      return;
    }
    for (const id of due) {
      if (this.stopped) return;
      try {
        await this.stock.recover(id);
      } catch (err) {
        this.logger.warn({ err, movement: id }, 'stock movement not recovered yet: will try again');
      }
    }
  }
}
