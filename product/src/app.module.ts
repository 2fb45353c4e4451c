import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, kafkaProvider, redisProvider } from '@runrun/common';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { ProductConfig } from './config';
import { MONGO, mongoProvider } from './mongo';
import { ProductStockController } from './product/product-stock.controller';
import { ProductGrpcServer } from './product/product.grpc';
import { PRODUCT_MODEL, productModel } from './product/product.schema';

@Module({})
export class AppModule {
  static register(config: ProductConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger)],
      controllers: [ProductStockController],
      providers: [
        mongoProvider,
        { provide: PRODUCT_MODEL, inject: [MONGO], useFactory: (c: Connection) => productModel(c) },
        redisProvider,
        kafkaProvider,
        ProductGrpcServer,
      ],
    };
  }
}
