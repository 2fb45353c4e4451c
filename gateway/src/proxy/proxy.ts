import proxy from '@fastify/http-proxy';
import { errorBody, IDENTITY_HEADERS, REQUEST_ID_HEADER } from '@runrun/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../config';
import { ROUTES } from './routes';

/**
 * Forwards every public path to its service over a keep-alive pool, streaming bodies both ways.
 * Identity headers sent by the client are always removed; only the gateway sets them.
 */
export async function registerProxyRoutes(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  for (const [prefix, upstream] of ROUTES) {
    await app.register(proxy, {
      upstream: config.upstreams[upstream],
      prefix,
      rewritePrefix: prefix,
      undici: { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 },
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => forwardedHeaders(headers, request.id),
        onError: (reply, { error }) => {
          const status = (error as { statusCode?: number }).statusCode === 504 ? 504 : 503;
          void reply.status(status).send(errorBody('SERVICE_UNAVAILABLE', `${upstream} service is unavailable`));
        },
      },
    });
  }
}

export function forwardedHeaders(headers: IncomingHttpHeaders, requestId: string): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { ...headers, [REQUEST_ID_HEADER]: requestId };
  for (const name of IDENTITY_HEADERS) delete forwarded[name];
  return forwarded;
}
