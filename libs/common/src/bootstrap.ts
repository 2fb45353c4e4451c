import 'reflect-metadata';
import './async-resource-bind';
import { randomUUID } from 'node:crypto';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, HttpConfig } from './config';
import { ErrorEnvelopeFilter, toErrorResponse } from './errors';
import { REQUEST_ID_HEADER } from './identity';
import { createLogger, PinoNestLogger } from './logger';
import { DEFAULT_DRAIN_MS, DependencyRegistry } from './health';
import { validationPipe } from './validation';
import { instrumentHttp } from './metrics';
import { serveOpenApi } from './openapi';

/** Reads the configuration or stops the process with one line naming the bad variable. */
export function loadConfigOrExit<C>(service: string, load: () => C): C {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${service}] configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export interface HttpServiceDefinition<C extends { http: HttpConfig }> {
  name: string;
  loadConfig: () => C;
  module: (config: C, logger: Logger) => Type | DynamicModule;
  /** Log every request at info (the gateway); services log them at debug. */
  logRequests?: boolean;
  /** Fastify's own body parsing, untouched (the gateway: its proxy routes stream bodies). */
  rawBodies?: boolean;
  /** Fastify server options of this service's own (the gateway: trusted proxies, canonical URLs). */
  serverOptions?: (config: C) => Pick<FastifyServerOptions, 'trustProxy' | 'rewriteUrl'>;
  /** Extra set-up on the Fastify instance before listening (e.g. the gateway's proxy routes). */
  configure?: (app: NestFastifyApplication, config: C, logger: Logger) => Promise<void>;
}

/** Starts a NestJS service on Fastify with the shared error envelope, request ids and metrics. */
export async function runHttpService<C extends { http: HttpConfig }>(
  definition: HttpServiceDefinition<C>,
): Promise<INestApplication> {
  const config = loadConfigOrExit(definition.name, definition.loadConfig);
  const logger = createLogger(definition.name);
  try {
    const adapter = new FastifyAdapter({
      logger: false,
      requestIdHeader: REQUEST_ID_HEADER,
      genReqId: () => randomUUID(),
      forceCloseConnections: 'idle',
      // errors of the router itself (a path parameter over 100 characters, a malformed URL) get the envelope too
      frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
        const [status, body] = toErrorResponse(error);
        void reply.status(status).send(body);
      },
      ...definition.serverOptions?.(config),
    });
    const app = await NestFactory.create<NestFastifyApplication>(definition.module(config, logger), adapter, {
      logger: new PinoNestLogger(logger),
      bodyParser: false, // Fastify's own parsers, adjusted below
    });
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRequest', async (request, reply) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      const line = {
        reqId: request.id,
        method: request.method,
        url: request.originalUrl,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      };
      if (definition.logRequests) logger.info(line, 'request');
      else logger.debug(line, 'request');
    });
    instrumentHttp(fastify);
    if (!definition.rawBodies) {
      // an empty JSON body (a POST without payload, e.g. a cancel) is no body, not a 400
      const parseJson = fastify.getDefaultJsonParser('error', 'ignore');
      fastify.removeContentTypeParser('application/json');
      fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
        body === '' ? done(null, undefined) : parseJson(request, body as string, done),
      );
    }
    const dependencies = app.get(DependencyRegistry);
    dependencies.setDrainBound(config.http.drainMs ?? DEFAULT_DRAIN_MS);
    // while draining, every answer closes its connection: a keep-alive client moves on to another
    // replica instead of holding this one open
    fastify.addHook('onSend', async (_request, reply) => {
      if (dependencies.isStopping) void reply.header('connection', 'close');
    });
    app.useGlobalFilters(new ErrorEnvelopeFilter(logger));
    app.useGlobalPipes(validationPipe());
    await definition.configure?.(app, config, logger);
    serveOpenApi(app, definition.name);
    await app.listen(config.http.port, config.http.host);
    dependencies.onStop('http server', (force) => {
      // stop listening; requests in flight finish, idle connections close
      const closed = fastify.close();
      const idle = setInterval(() => fastify.server.closeIdleConnections(), 100);
      force.addEventListener('abort', () => fastify.server.closeAllConnections());
      return closed.finally(() => clearInterval(idle));
    });
    stopOnSignals(app, logger);
    logger.info({ host: config.http.host, port: config.http.port }, `${definition.name} listening`);
    return app;
  } catch (error) {
    logger.fatal({ err: error }, `${definition.name} failed to start`);
    process.exit(1);
  }
}

/**
 * SIGTERM (Kubernetes) or SIGINT: stop taking work, drain what is in flight (bounded), close the
 * stores (DependencyRegistry), then exit 0. A shutdown that hangs anyway is cut after the bound
 * plus a margin, with status 1.
 */
function stopOnSignals(app: INestApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work, draining what is in flight');
    const bound = app.get(DependencyRegistry).drainBound;
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, bound + 10_000).unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
