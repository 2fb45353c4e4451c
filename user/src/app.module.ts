import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, kafkaProvider, redisProvider } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import { AddressEventsConsumer } from './address/address-events.consumer';
import { Address } from './address/address.entity';
import { ProcessedEvent } from './address/processed-event.entity';
import type { UserConfig } from './config';

@Module({})
export class AppModule {
  static register(config: UserConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Address, ProcessedEvent])],
      providers: [redisProvider, kafkaProvider, AddressEventsConsumer],
    };
  }
}
