import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule, redisProvider } from '@runrun/common';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger)],
      providers: [redisProvider],
    };
  }
}
