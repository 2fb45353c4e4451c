import { DynamicModule, FactoryProvider, Global, Inject, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { DependencyRegistry, HealthController } from './health';
import { createGrpcClient, GrpcClient } from './grpc';
import { KafkaBus } from './kafka';
import type { GrpcServiceName } from '@runrun/contracts';
import { createRedisClient, pingRedis } from './redis';
import type { KafkaConfig, RedisConfig } from './config';
import { MetricsController } from './metrics';

/** Injection token of the service's pino logger. */
export const LOGGER = Symbol('LOGGER');
/** Injection token of the service's validated configuration object. */
export const CONFIG = Symbol('CONFIG');
/** Injection token of the service's Redis connection (see redisProvider). */
export const REDIS = Symbol('REDIS');

/** What every HTTP service has: config, logger, /health/live, /health/ready, /metrics. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: object, logger: Logger): DynamicModule {
    return {
      module: CommonModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: DependencyRegistry, useFactory: () => new DependencyRegistry(logger) },
        { provide: LOGGER, useValue: logger },
        { provide: CONFIG, useValue: config },
      ],
      exports: [DependencyRegistry, LOGGER, CONFIG],
    };
  }
}

/** The service's Redis or Redis Cluster (config.redis), checked for readiness and closed on shutdown. */
export const redisProvider: FactoryProvider = {
  provide: REDIS,
  inject: [CONFIG, DependencyRegistry],
  useFactory: (config: { name: string; redis: RedisConfig }, dependencies: DependencyRegistry) => {
    const redis = createRedisClient(config.redis, config.name);
    dependencies.register(
      'redis',
      () => pingRedis(redis),
      () => redis.quit(),
    );
    return redis;
  },
};

/**
 * The service's Kafka producer/consumers (config.kafka), checked for readiness. On shutdown the
 * consumers stop fetching first (their events in flight finish); the producer closes with the
 * stores, since work still draining may publish.
 */
export const kafkaProvider: FactoryProvider = {
  provide: KafkaBus,
  inject: [CONFIG, LOGGER, DependencyRegistry],
  useFactory: (config: { kafka: KafkaConfig }, logger: Logger, dependencies: DependencyRegistry) => {
    const bus = new KafkaBus(config.kafka, logger);
    dependencies.register(
      'kafka',
      () => bus.ping(),
      () => bus.close(),
    );
    dependencies.onStop('kafka consumers', () => bus.stopConsuming());
    return bus;
  },
};

/** The injection token of the gRPC client of `service` (one per service name, shared by all). */
export const grpcClientToken = (service: GrpcServiceName): string => `grpc-client:${service}`;
/** Injects the client that `grpcClientProvider(service, …)` provides. */
export const InjectGrpcClient = (service: GrpcServiceName): PropertyDecorator & ParameterDecorator =>
  Inject(grpcClientToken(service));

/**
 * The one way a service gets a gRPC client of another: listed in its module, injected with
 * `@InjectGrpcClient(service)` (and so replaceable by a fake in a service's own tests), at the
 * address `target(config)`, closed on shutdown.
 */
export function grpcClientProvider<S extends GrpcServiceName, C>(
  service: S,
  target: (config: C) => string,
  deadlineMs?: number,
): FactoryProvider<GrpcClient<S>> {
  return {
    provide: grpcClientToken(service),
    inject: [CONFIG, DependencyRegistry],
    useFactory: (config: C, dependencies: DependencyRegistry) => {
      const client = createGrpcClient(service, target(config), deadlineMs);
      dependencies.onShutdown(async () => client.close());
      return client;
    },
  };
}
