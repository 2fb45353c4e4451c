import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import { Brand } from './brand/brand.entity';
import { BrandGrpcServer } from './brand/brand.grpc';
import type { BrandConfig } from './config';

@Module({})
export class AppModule {
  static register(config: BrandConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [Brand])],
      providers: [BrandGrpcServer],
    };
  }
}
