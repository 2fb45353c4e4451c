import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AppException, toErrorResponse } from './errors';

describe('error envelope', () => {
  it('keeps a domain error code, status and message', () => {
    const [status, body] = toErrorResponse(
      new AppException('STOCK_SHORTAGE', 409, 'Order failed due to insufficient stock'),
    );
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: 'STOCK_SHORTAGE', message: 'Order failed due to insufficient stock' });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('keeps a field → message map for validation errors', () => {
    const [, body] = toErrorResponse(new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { email: 'not an e-mail' }));
    expect(body.message).toEqual({ email: 'not an e-mail' });
  });

  it('maps framework HTTP errors to codes', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'))).toEqual([
      404,
      expect.objectContaining({ code: 'NOT_FOUND' }),
    ]);
    expect(toErrorResponse(new BadRequestException('bad'))[1].code).toBe('BAD_REQUEST');
  });

  it("answers Fastify's client errors (bad JSON) with their 4xx status", () => {
    const parseError = Object.assign(new Error('Unexpected end of JSON input'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(toErrorResponse(parseError)[0]).toBe(400);
  });

  it('hides the internals of unexpected errors', () => {
    const [status, body] = toErrorResponse(new Error('connection refused to 10.0.0.3'));
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });

  it('answers a store being away (MySQL restarting, a connection cut) 503, never 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    const lost = Object.assign(new Error('Query failed'), {
      driverError: Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }),
    });
    for (const error of [refused, lost]) {
      const [status, body] = toErrorResponse(error);
      expect(status).toBe(503);
      expect(body.code).toBe('SERVICE_UNAVAILABLE');
    }
  });
});
