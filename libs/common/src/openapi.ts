import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const OPENAPI_PATH = '/openapi.json';

/**
 * The service's OpenAPI document at GET /openapi.json, built from its controllers and DTOs.
 * The gateway gathers every service's document into one Redoc page (/docs).
 */
export function serveOpenApi(app: NestFastifyApplication, service: string): void {
  const config = new DocumentBuilder()
    .setTitle(`RUNRUN ${service}`)
    .setDescription(`The ${service} service, reached through the gateway.`)
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  app
    .getHttpAdapter()
    .getInstance()
    .get(OPENAPI_PATH, async () => document);
}
