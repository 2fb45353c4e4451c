import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { classifyFailure } from './failures';

/** The one error envelope every service answers with; `code` is the contract. */
export interface ErrorBody {
  code: string;
  message: string | Record<string, string>;
  timestamp: string;
}

/** A domain error: the original's `code`, its HTTP status and a human message. */
export class AppException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string | Record<string, string>,
  ) {
    super(typeof message === 'string' ? message : JSON.stringify(message));
    this.details = message;
  }
  readonly details: string | Record<string, string>;
}

/**
 * One way to declare a service's error codes: `appError(code, status, message)` is a factory
 * of the exception (a fresh one per throw, so stacks point at the thrower).
 */
export const appError =
  (code: string, status: number, message: string): (() => AppException) =>
  () =>
    new AppException(code, status, message);

/** 400 REQUEST_ARGUMENT_NOT_VALID for one field, as the validators answer. */
export const invalidArgument = (field: string, message: string): AppException =>
  new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { [field]: message });

export const errorBody = (code: string, message: ErrorBody['message']): ErrorBody => ({
  code,
  message,
  timestamp: new Date().toISOString(),
});

/** Fastify's own client errors (bad JSON, wrong content type, body too large) are 4xx, never 500. */
interface FastifyClientError {
  statusCode?: number;
  code?: string;
  message: string;
}

const STATUS_CODES: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: 'BAD_REQUEST',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'METHOD_NOT_ALLOWED',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.URI_TOO_LONG]: 'URI_TOO_LONG',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'UNSUPPORTED_MEDIA_TYPE',
  [HttpStatus.TOO_MANY_REQUESTS]: 'TOO_MANY_REQUESTS',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
};

/** Maps any thrown value to [status, envelope]. Unknown errors become a 500 without internals. */
export function toErrorResponse(error: unknown): [number, ErrorBody] {
  if (error instanceof AppException) return [error.status, errorBody(error.code, error.details)];
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return [
      status,
      errorBody(STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'), message),
    ];
  }
  const fastifyError = error as FastifyClientError;
  if (fastifyError && typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    return [status, errorBody(STATUS_CODES[status] ?? 'BAD_REQUEST', fastifyError.message)];
  }
  // a server this one needs is away (MySQL restarting, a connection cut): the client may try again,
  // as gRPC handlers answer UNAVAILABLE for the same failures; a 500 would blame the request
  if (classifyFailure(error) === 'transient') {
    return [
      HttpStatus.SERVICE_UNAVAILABLE,
      errorBody('SERVICE_UNAVAILABLE', 'Service is temporarily unavailable. Please try again later.'),
    ];
  }
  return [HttpStatus.INTERNAL_SERVER_ERROR, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error')];
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const [status, body] = toErrorResponse(error);
    if (status >= 500) this.logger.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
