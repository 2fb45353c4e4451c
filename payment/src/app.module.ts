import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, kafkaProvider } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import { orderClientProvider, productClientProvider } from './clients/clients';
import type { PaymentConfig } from './config';
import { Payment } from './payment/payment.entity';

@Module({})
export class AppModule {
  static register(config: PaymentConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Payment])],
      providers: [kafkaProvider, orderClientProvider, productClientProvider],
    };
  }
}
