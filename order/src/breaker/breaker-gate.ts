import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorBody } from '@runrun/common';
import { OrderErrors } from '../errors';
import { ProductBreakers } from './breakers';

/**
 * The sold-out path in front of everything else: an order naming a product whose breaker is open
 * is answered 503 as soon as its body is read, before validation, Redis or gRPC. In a flash sale
 * most requests after the sell-out take this path.
 */
export function registerBreakerGate(app: NestFastifyApplication): void {
  const breakers = app.get(ProductBreakers);
  const { code, status, details } = OrderErrors.serviceUnavailable();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || request.routeOptions.url !== '/orders') return;
      const products = (request.body as { products?: unknown } | undefined)?.products;
      if (!Array.isArray(products)) return; // validation answers it
      const ids = products.map((p) => (p as { id?: unknown })?.id).filter((id): id is string => typeof id === 'string');
      if (!breakers.allow(ids)) return reply.status(status).send(errorBody(code, details));
    });
}
