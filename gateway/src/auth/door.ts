import { errorBody, USER_ID_HEADER, USER_ROLE_HEADER } from '@runrun/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { acceptsTokenCookie, accessFor } from './access-rules';
import { Authentication, Authenticator, Identity } from './authenticator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the door once the caller is verified; forwarded as identity headers. */
    identity?: Identity;
  }
}

/**
 * Runs before every proxied request: authenticates, applies the path's access rule and the
 * per-client rate limit. Answers 401 / 403 / 429 itself (503 when Redis, which it needs for
 * revocations and the limit, does not answer); otherwise the request goes on with
 * `request.identity` set (or not, for an anonymous call of a public path).
 *
 * `request.url` is already canonical (see canonical-path.ts): the path judged here is exactly the
 * path forwarded.
 */
export function createDoor(authenticator: Authenticator, limiter: RateLimiter, logger: Logger) {
  return async function door(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = request.url.split('?', 1)[0];
    const access = accessFor(request.method, path);
    let auth: Authentication;
    let allowed: boolean;
    try {
      const credentials = {
        authorization: request.headers.authorization,
        cookie: request.headers.cookie,
        tokenCookieAllowed: acceptsTokenCookie(request.method, path),
      };
      // counted on the claimed user (a signed, unexpired token) else the address, while the
      // revocation is looked up: the two Redis calls go out together, one round trip
      const verified = authenticator.verify(credentials);
      const client = verified.access?.ok ? `user:${verified.access.claims.sub}` : `ip:${request.ip}`;
      [auth, allowed] = await Promise.all([authenticator.authenticate(credentials, verified), limiter.take(client)]);
    } catch (error) {
      logger.error({ err: error, reqId: request.id }, 'gateway store unavailable');
      return void reply.status(503).send(errorBody('SERVICE_UNAVAILABLE', 'Service temporarily unavailable'));
    }
    if (auth.kind === 'user') request.identity = auth.identity;
    if (!allowed) {
      return void reply.status(429).send(errorBody('TOO_MANY_REQUESTS', 'Too many requests, slow down'));
    }
    if (access !== 'public' && auth.kind !== 'user') {
      return void reply.status(401).send(errorBody('UNAUTHORIZED', 'Sign in to continue'));
    }
    if (access === 'seller' && request.identity?.role !== 'SELLER') {
      return void reply.status(403).send(errorBody('FORBIDDEN', 'Only sellers may do this'));
    }
    if (auth.kind === 'user' && auth.refreshed) {
      void reply.header('authorization', `Bearer ${auth.refreshed.accessToken}`);
      void reply.header('set-cookie', auth.refreshed.setCookies);
    }
  };
}

/** Headers for the service: the client's identity headers removed, the verified ones set. */
export function identityHeaders(identity: Identity | undefined): Record<string, string> {
  return identity ? { [USER_ID_HEADER]: identity.userId, [USER_ROLE_HEADER]: identity.role } : {};
}
