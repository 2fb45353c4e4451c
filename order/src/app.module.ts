import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, grpcClientProvider, kafkaProvider, outboxProviders, redisProvider } from '@runrun/common';
import { MysqlModule, MysqlOutboxStore, OutboxEvent } from '@runrun/mysql';
import type { Logger } from 'pino';
import { ProductBreakers } from './breaker/breakers';
import { HotProductGauges } from './metrics/hot-products';
import { CartController } from './cart/cart.controller';
import { CartService } from './cart/cart.service';
import { Catalog } from './catalog/catalog';
import type { OrderConfig } from './config';
import { Idempotency } from './idempotency/idempotency';
import { OrderJobs } from './jobs/order-jobs';
import { ReservationReconciler } from './jobs/reservation-reconciler';
import { UnpaidSweeper } from './jobs/unpaid-sweeper';
import { OrderEventsConsumer } from './order/order-events.consumer';
import { OrderLifecycle } from './order/order-lifecycle';
import { OrderController } from './order/order.controller';
import { Order } from './order/order.entity';
import { OrderGrpcServer } from './order/order.grpc';
import { OrderRepository } from './order/order.repository';
import { OrderWriter } from './order/order-writer';
import { OrderService } from './order/order.service';
import { Reservations } from './reservation/reservations';
import { StockChangesConsumer } from './reservation/stock-changes.consumer';
import { ProductAvailability } from './availability/product-availability';

@Module({})
export class AppModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Order, OutboxEvent])],
      controllers: [OrderController, CartController],
      providers: [
        // stores and neighbours (MySQL comes with MysqlModule; all SQL on orders is in OrderRepository)
        OrderRepository,
        OrderWriter,
        redisProvider,
        kafkaProvider,
        grpcClientProvider('ProductService', (c: OrderConfig) => c.productGrpc),
        grpcClientProvider('BrandService', (c: OrderConfig) => c.brandGrpc),
        // outbox: events committed with the order rows, relayed to Kafka
        ...outboxProviders(MysqlOutboxStore),
        // domain
        Catalog,
        ProductAvailability,
        ProductBreakers,
        Reservations,
        Idempotency,
        OrderLifecycle,
        OrderService,
        CartService,
        // inbound (besides the HTTP controllers): Kafka consumers, the gRPC server
        OrderEventsConsumer,
        StockChangesConsumer,
        OrderGrpcServer,
        // background: unpaid orders and leaked reservations
        OrderJobs,
        UnpaidSweeper,
        ReservationReconciler,
        // metrics
        HotProductGauges,
      ],
    };
  }
}
