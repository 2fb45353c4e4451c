import proxy from '@fastify/http-proxy';
import { CLIENT_IP_HEADER, errorBody, IDENTITY_HEADERS, REQUEST_ID_HEADER } from '@runrun/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BalancedPool } from 'undici';
import { identityHeaders } from '../auth/door';
import type { Identity } from '../auth/authenticator';
import type { GatewayConfig } from '../config';
import { ROUTES } from './routes';

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const POOL = { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 };

/**
 * Forwards every public path to its service over a keep-alive pool, streaming bodies both ways.
 * `door` runs first (authentication, access rules, rate limit), then for orders `soldOutGate`
 * (a flagged product is answered here, sold-out-gate.ts). Identity headers sent by the
 * client are always removed; only the verified identity is forwarded.
 */
export async function registerProxyRoutes(
  app: NestFastifyApplication,
  config: GatewayConfig,
  door: PreHandler,
  soldOutGate: PreHandler,
): Promise<void> {
  // orders pass the sold-out gate once the door let the caller in
  const doorThenSoldOutGate: PreHandler = async (request, reply) => {
    await door(request, reply);
    if (!reply.sent) await soldOutGate(request, reply);
  };
  for (const [prefix, upstream] of ROUTES) {
    const targets = config.upstreams[upstream];
    await app.register(proxy, {
      upstream: targets[0],
      prefix,
      rewritePrefix: prefix,
      preHandler: prefix === '/orders' ? doorThenSoldOutGate : door,
      // several replicas of a service share the requests (locally; in Kubernetes the Service
      // balances). reply-from sends every request to `upstream` unless its pool is balanced.
      undici: targets.length > 1 ? new BalancedPool(targets, POOL) : POOL,
      replyOptions: {
        // a service's 503 (an open breaker, a store down) goes back as is: reply-from would
        // otherwise repeat GETs up to 10 times, multiplying the load on a struggling service
        retryDelay: () => null,
        rewriteRequestHeaders: (request, headers) =>
          forwardedHeaders(headers, request.id, request.ip, request.identity),
        onError: (reply, { error }) => {
          const status = (error as { statusCode?: number }).statusCode === 504 ? 504 : 503;
          void reply.status(status).send(errorBody('SERVICE_UNAVAILABLE', `${upstream} service is unavailable`));
        },
      },
    });
  }
}

/** The client's headers without identity headers, plus the verified identity and client address. */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  requestId: string,
  clientIp: string,
  identity?: Identity,
): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { ...headers, [REQUEST_ID_HEADER]: requestId };
  for (const name of IDENTITY_HEADERS) delete forwarded[name];
  return { ...forwarded, [CLIENT_IP_HEADER]: clientIp, ...identityHeaders(identity) };
}
