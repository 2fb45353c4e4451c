import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from './errors';

/**
 * Identity headers. Only the gateway sets them, from a verified token, after removing whatever
 * the client sent; services are reachable only through the gateway, so they trust them.
 */
export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLE_HEADER = 'x-user-role';
/** The client's address as the gateway resolved it (forwarded headers trusted only from configured proxies). */
export const CLIENT_IP_HEADER = 'x-client-ip';
export const IDENTITY_HEADERS = [USER_ID_HEADER, USER_ROLE_HEADER, CLIENT_IP_HEADER] as const;
export const REQUEST_ID_HEADER = 'x-request-id';

export type UserRole = 'SELLER' | 'CUSTOMER';

/** The caller's user id from X-USER-ID; 400 BAD_REQUEST when missing or not a positive integer. */
export function requireUserId(headers: FastifyRequest['headers']): number {
  const value = headers[USER_ID_HEADER];
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value) || Number(value) === 0) {
    throw new AppException('BAD_REQUEST', 400, 'Required header X-USER-ID is missing or invalid');
  }
  return Number(value);
}

/** `@UserId() userId: number` in a controller: the caller's id, required. */
export const UserId = createParamDecorator((_: unknown, ctx: ExecutionContext): number =>
  requireUserId(ctx.switchToHttp().getRequest<FastifyRequest>().headers),
);

/**
 * `@SellerId() sellerId: number`: the caller's id, who must be a seller. The gateway already
 * refuses non-sellers; this refuses them again in the service, so a request that reached it
 * around the gateway's rules still cannot write as a seller.
 */
export const SellerId = createParamDecorator((_: unknown, ctx: ExecutionContext): number => {
  const headers = ctx.switchToHttp().getRequest<FastifyRequest>().headers;
  const userId = requireUserId(headers);
  if (headers[USER_ROLE_HEADER] !== 'SELLER') throw new AppException('FORBIDDEN', 403, 'Only sellers may do this');
  return userId;
});
