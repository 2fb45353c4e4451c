import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_PROTO, GrpcServiceName, GrpcServices, protoFile } from '@runrun/contracts';
import type { Logger } from 'pino';
import { AppException } from './errors';
import { classifyFailure } from './failures';
import type { DependencyRegistry } from './health';

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
};

function serviceDefinition(name: GrpcServiceName): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(protoFile(GRPC_PROTO[name]), LOADER_OPTIONS);
  // the original's protos have no package, so each service sits at the root of the definition
  return definition[name] as grpc.ServiceDefinition;
}

/** A gRPC error with a status code; the original answers INVALID_ARGUMENT for "not found". */
export class GrpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** Handlers of a service; an rpc left out answers UNIMPLEMENTED. */
export type GrpcHandlers<S extends GrpcServiceName> = Partial<{
  [M in keyof GrpcServices[S]]: GrpcServices[S][M] extends [infer Req, infer Res]
    ? (request: Req) => Promise<Res>
    : never;
}>;

/**
 * Starts a gRPC server on `address` (host:port) with promise-returning handlers. A GrpcError
 * becomes its status; a transient failure (a store away, see failures.ts) UNAVAILABLE; anything
 * else is logged and answered INTERNAL, as the original did. The server stops accepting calls and
 * drains on shutdown, before the stores close.
 */
export async function startGrpcServer<S extends GrpcServiceName>(
  name: S,
  handlers: GrpcHandlers<S>,
  options: { address: string; logger: Logger; dependencies: DependencyRegistry },
): Promise<grpc.Server> {
  const server = new grpc.Server();
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (req: unknown) => Promise<unknown>][]) {
    implementation[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      handler(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          if (error instanceof GrpcError) return callback({ code: error.code, details: error.message });
          if (classifyFailure(error) === 'transient') {
            // a store of ours is away: the caller may retry, it must not read this as an answer
            options.logger.warn({ err: error, service: name, method }, 'gRPC call failed: a server is unavailable');
            return callback({ code: grpc.status.UNAVAILABLE, details: 'SERVICE_UNAVAILABLE' });
          }
          options.logger.error({ err: error, service: name, method }, 'gRPC call failed');
          callback({ code: grpc.status.INTERNAL, details: 'INTERNAL_SERVER_ERROR' });
        },
      );
    };
  }
  server.addService(serviceDefinition(name), implementation);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(options.address, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  // on shutdown: new calls are refused at once, the calls in flight finish (cut at the drain bound)
  options.dependencies.onStop(
    'grpc server',
    (force) =>
      new Promise<void>((resolve) => {
        force.addEventListener('abort', () => server.forceShutdown());
        server.tryShutdown(() => resolve());
      }),
  );
  return server;
}

export type GrpcClient<S extends GrpcServiceName> = {
  [M in keyof GrpcServices[S]]: GrpcServices[S][M] extends [infer Req, infer Res]
    ? (request: Req) => Promise<Res>
    : never;
} & { close(): void };

type UnaryCall = (
  request: unknown,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => void;

/** A promise-returning client; every call has a deadline (the original had none). */
export function createGrpcClient<S extends GrpcServiceName>(name: S, target: string, deadlineMs = 3000): GrpcClient<S> {
  const definition = serviceDefinition(name);
  const Client = grpc.makeGenericClientConstructor(definition, name);
  const client = new Client(target, grpc.credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    // a neighbour that restarted (a crash, a rolled pod) is dialled again within a second, not
    // after grpc-js's default backoff, which grows to two minutes while it is down
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 1000,
  });
  const api: Record<string, unknown> = { close: () => client.close() };
  for (const method of Object.keys(definition)) {
    const call = (client as unknown as Record<string, UnaryCall>)[method].bind(client);
    api[method] = (request: unknown) =>
      new Promise((resolve, reject) =>
        call(request, { deadline: Date.now() + deadlineMs }, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
  }
  return api as GrpcClient<S>;
}

export { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * A failed call to another service, answered as the original's GRPC_COMMUNICATION_ERROR with the
 * status its gRPC code maps to (NOT_FOUND 404, INVALID_ARGUMENT 400, UNAVAILABLE and
 * DEADLINE_EXCEEDED 503, else 500) and the code's name as the message.
 */
export function grpcCommunicationError(error: unknown): AppException {
  const code = (error as { code?: number }).code ?? grpc.status.UNKNOWN;
  const status =
    code === grpc.status.NOT_FOUND
      ? 404
      : code === grpc.status.INVALID_ARGUMENT
        ? 400
        : code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED
          ? 503
          : 500;
  return new AppException('GRPC_COMMUNICATION_ERROR', status, grpc.status[code] ?? 'UNKNOWN');
}
