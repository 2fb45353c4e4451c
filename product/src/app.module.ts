import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, grpcClientProvider, kafkaProvider, outboxProviders, redisProvider } from '@runrun/common';
import { createStorage, FILE_STORAGE } from '@runrun/storage';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { BrandDetails } from './brand/brand-details';
import { CATEGORY_MODEL, categoryModel } from './category/category.schema';
import { CategoryService } from './category/category.service';
import type { ProductConfig } from './config';
import { MONGO, mongoProvider } from './mongo';
import { MongoOutbox } from './outbox/mongo-outbox';
import { ProductItemCache } from './product/product-item.cache';
import { ProductController } from './product/product.controller';
import { ProductGrpcServer } from './product/product.grpc';
import { PRODUCT_MODEL, productModel } from './product/product.schema';
import { ProductService } from './product/product.service';
import { StockChanges } from './stock/stock-changes';
import { StockEvents } from './stock/stock-events';
import { StockLocks } from './stock/stock-locks';
import {
  OPEN_MOVEMENT_MODEL,
  openMovementModel,
  STOCK_MOVEMENT_MODEL,
  stockMovementModel,
} from './stock/stock-movement.schema';
import { StockRecovery } from './stock/stock-recovery';
import { StockService } from './stock/stock.service';

@Module({})
export class AppModule {
  static register(config: ProductConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger)],
      controllers: [ProductController],
      providers: [
        // stores and neighbours
        mongoProvider,
        { provide: PRODUCT_MODEL, inject: [MONGO], useFactory: (c: Connection) => productModel(c) },
        { provide: CATEGORY_MODEL, inject: [MONGO], useFactory: (c: Connection) => categoryModel(c) },
        { provide: STOCK_MOVEMENT_MODEL, inject: [MONGO], useFactory: (c: Connection) => stockMovementModel(c) },
        { provide: OPEN_MOVEMENT_MODEL, inject: [MONGO], useFactory: (c: Connection) => openMovementModel(c) },
        { provide: FILE_STORAGE, useValue: createStorage(config.storage) },
        redisProvider,
        kafkaProvider,
        grpcClientProvider('BrandService', (c: ProductConfig) => c.brandGrpc),
        // outbox: stock events written with the stock change (MongoDB), relayed to Kafka
        ...outboxProviders(MongoOutbox),
        // domain
        BrandDetails,
        CategoryService,
        ProductItemCache,
        StockLocks,
        StockService,
        StockChanges,
        ProductService,
        // inbound (besides the HTTP controller): the gRPC server, Kafka consumers
        ProductGrpcServer,
        StockEvents,
        // background: movements left applying
        StockRecovery,
      ],
    };
  }
}
