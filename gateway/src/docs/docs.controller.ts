import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONFIG, OPENAPI_PATH } from '@runrun/common';
import type { GatewayConfig } from '../config';

interface OpenApiDocument {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string }[];
}

const CACHE_MS = 60_000;

/**
 * One Redoc page for the whole API (the original published a Redoc document): the gateway
 * gathers every service's /openapi.json; a service that does not answer is left out and named.
 */
@ApiExcludeController()
@Controller('docs')
export class DocsController {
  private cached?: { at: number; document: object };

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>RUNRUN API</title>
  </head>
  <body>
    <redoc spec-url="/docs/openapi.json"></redoc>
    <script src="https://cdn.redoc.ly/redoc/v2.5.1/bundles/redoc.standalone.js"></script>
  </body>
</html>`;
  }

  @Get('openapi.json')
  async document(): Promise<object> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.document;
    const services = Object.entries(this.config.upstreams).map(([name, [base]]) => [name, base] as const);
    const parts = await Promise.all(
      services.map(async ([name, base]) => {
        try {
          const res = await fetch(`${base}${OPENAPI_PATH}`, { signal: AbortSignal.timeout(2000) });
          return res.ok ? { name, document: (await res.json()) as OpenApiDocument } : { name };
        } catch {
          return { name };
        }
      }),
    );
    const missing = parts.filter((p) => !p.document).map((p) => p.name);
    const merged = {
      openapi: '3.0.0',
      info: {
        title: 'RUNRUN API',
        version: '1',
        description:
          'Every public endpoint, reached through the gateway at one address. Send `Authorization: Bearer <accessToken>` ' +
          'from POST /users/login, except on the public paths (sign-up, login, e-mail verification, GET /products).' +
          (missing.length ? `\n\nNot answering right now, so not listed: ${missing.join(', ')}.` : ''),
      },
      tags: parts.flatMap((p) => p.document?.tags ?? []),
      paths: Object.assign({}, ...parts.map((p) => p.document?.paths ?? {})),
      components: {
        schemas: Object.assign({}, ...parts.map((p) => p.document?.components?.schemas ?? {})),
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    };
    if (!missing.length) this.cached = { at: Date.now(), document: merged };
    return merged;
  }
}
