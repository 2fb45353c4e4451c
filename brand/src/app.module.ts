import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import { createStorage, FILE_STORAGE } from '@runrun/storage';
import type { Logger } from 'pino';
import { BrandController } from './brand/brand.controller';
import { Brand } from './brand/brand.entity';
import { BrandGrpcServer } from './brand/brand.grpc';
import { BrandService } from './brand/brand.service';
import type { BrandConfig } from './config';

@Module({})
export class AppModule {
  static register(config: BrandConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Brand])],
      controllers: [BrandController],
      providers: [{ provide: FILE_STORAGE, useValue: createStorage(config.storage) }, BrandService, BrandGrpcServer],
    };
  }
}
