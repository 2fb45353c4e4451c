import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, kafkaProvider, redisProvider } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import { brandClientProvider, productClientProvider } from './clients/catalog.clients';
import type { OrderConfig } from './config';
import { Order } from './order/order.entity';
import { OrderGrpcServer } from './order/order.grpc';

@Module({})
export class AppModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Order])],
      providers: [redisProvider, kafkaProvider, productClientProvider, brandClientProvider, OrderGrpcServer],
    };
  }
}
