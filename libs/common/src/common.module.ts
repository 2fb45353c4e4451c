import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, ReadinessRegistry } from './health';
import { MetricsController } from './metrics';

/** Injection token of the service's pino logger. */
export const LOGGER = Symbol('LOGGER');
/** Injection token of the service's validated configuration object. */
export const CONFIG = Symbol('CONFIG');

/** What every HTTP service has: config, logger, /health/live, /health/ready, /metrics. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: object, logger: Logger): DynamicModule {
    return {
      module: CommonModule,
      controllers: [HealthController, MetricsController],
      providers: [ReadinessRegistry, { provide: LOGGER, useValue: logger }, { provide: CONFIG, useValue: config }],
      exports: [ReadinessRegistry, LOGGER, CONFIG],
    };
  }
}
