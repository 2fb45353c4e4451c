import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, redisProvider } from '@runrun/common';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import { DocsController } from './docs/docs.controller';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger)],
      controllers: [DocsController],
      providers: [redisProvider],
    };
  }
}
