import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, kafkaProvider, outboxProviders } from '@runrun/common';
import { MysqlModule, MysqlOutboxStore, OutboxEvent } from '@runrun/mysql';
import type { Logger } from 'pino';
import { CheckoutController } from './checkout/checkout.controller';
import { grpcClients } from './clients/clients';
import type { PaymentConfig } from './config';
import { OrderCancelledConsumer } from './payment/order-cancelled.consumer';
import { PaymentController } from './payment/payment.controller';
import { PaymentRepository } from './payment/payment.repository';
import { Payment } from './payment/payment.entity';
import { PaymentService } from './payment/payment.service';
import { MockPgClient } from './pg/mock-pg.client';
import { PG_CLIENT } from './pg/pg-client';
import { TossPgClient } from './pg/toss-pg.client';
import { timedPg } from './pg/timed-pg.client';
import { Refund } from './refund/refund.entity';
import { RefundRepository } from './refund/refund.repository';
import { Refunds } from './refund/refunds';

@Module({})
export class AppModule {
  static register(config: PaymentConfig, logger: Logger): DynamicModule {
    const { pg } = config;
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Payment, Refund, OutboxEvent])],
      controllers: [CheckoutController, PaymentController],
      providers: [
        // stores and neighbours (MySQL comes with MysqlModule; all SQL on payments and refunds is
        // in their repositories)
        PaymentRepository,
        RefundRepository,
        kafkaProvider,
        ...grpcClients,
        {
          provide: PG_CLIENT,
          useValue: timedPg(
            pg.kind === 'toss'
              ? new TossPgClient(pg.tossUrl, pg.tossSecret, pg.timeoutMs)
              : new MockPgClient(pg.timeoutMs),
          ),
        },
        // outbox: events committed with the payment rows, relayed to Kafka
        ...outboxProviders(MysqlOutboxStore),
        // domain
        Refunds,
        PaymentService,
        // inbound (besides the HTTP controllers): Kafka consumers
        OrderCancelledConsumer,
      ],
    };
  }
}
