import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '@runrun/common';
import { MysqlModule, OutboxEvent } from '@runrun/mysql';
import { Order, OrderJobs, OrderLifecycle, OrderRepository } from '@runrun/order/jobs';
import type { Logger } from 'pino';
import type { CronConfig } from './config';
import { Jobs } from './jobs';

@Module({})
export class AppModule {
  static register(config: CronConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Order, OutboxEvent])],
      providers: [OrderRepository, OrderLifecycle, OrderJobs, Jobs],
    };
  }
}
