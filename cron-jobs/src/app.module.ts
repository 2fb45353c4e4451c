import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import type { CronConfig } from './config';
import { Jobs } from './jobs';

@Module({})
export class AppModule {
  static register(config: CronConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [])],
      providers: [Jobs],
    };
  }
}
