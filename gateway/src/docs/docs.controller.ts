import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { addErrorCodes, CONFIG, OPENAPI_PATH, type OpenApiDocument } from '@runrun/common';
import { readFileSync } from 'node:fs';
import { accessFor } from '../auth/access-rules';
import type { GatewayConfig } from '../config';

/** Redoc's bundle from the npm package, served here: the page works without reaching any CDN. */
const REDOC_BUNDLE = require.resolve('redoc/bundles/redoc.standalone.js');

/**
 * What the gateway itself answers before a request reaches its service: the access rule of the
 * path (401, 403 for seller paths), the rate limit (429), its store away (503), and a path with no
 * canonical form (400, for operations with path parameters). Public operations need no token.
 */
export function addGatewayAnswers(document: Pick<OpenApiDocument, 'paths'>): void {
  for (const [path, operations] of Object.entries(document.paths)) {
    const concrete = path.replace(/\{[^}]+\}/g, 'x');
    for (const [method, operation] of Object.entries(operations)) {
      const access = accessFor(method.toUpperCase(), concrete);
      const op = operation as Parameters<typeof addErrorCodes>[0] & { security?: unknown };
      op.security = access === 'public' ? [] : [{ bearer: [] }];
      if (access !== 'public') addErrorCodes(op, 401, ['UNAUTHORIZED']);
      if (access === 'seller') addErrorCodes(op, 403, ['FORBIDDEN']);
      if (path.includes('{')) addErrorCodes(op, 400, ['BAD_REQUEST']);
      addErrorCodes(op, 429, ['TOO_MANY_REQUESTS']);
      addErrorCodes(op, 503, ['SERVICE_UNAVAILABLE']);
    }
  }
}

const CACHE_MS = 60_000;
type Tags = { tags?: { name: string }[] };

/**
 * One Redoc page for the whole API (the original published a Redoc document): the gateway
 * gathers every service's /openapi.json; a service that does not answer is left out and named.
 */
@ApiExcludeController()
@Controller('docs')
export class DocsController {
  private cached?: { at: number; document: object };
  private bundle?: string;

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  // only this gateway: the page works offline, and Redoc's footer logo is not fetched from its CDN
  @Header(
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
      "worker-src 'self' blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'",
  )
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
    <script src="/docs/redoc.standalone.js"></script>
  </body>
</html>`;
  }

  @Get('redoc.standalone.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  script(): string {
    return (this.bundle ??= readFileSync(REDOC_BUNDLE, 'utf8'));
  }

  @Get('openapi.json')
  async document(): Promise<object> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.document;
    const services = Object.entries(this.config.upstreams).map(([name, [base]]) => [name, base] as const);
    const parts = await Promise.all(
      services.map(async ([name, base]) => {
        try {
          const res = await fetch(`${base}${OPENAPI_PATH}`, { signal: AbortSignal.timeout(2000) });
          return res.ok ? { name, document: (await res.json()) as Partial<OpenApiDocument> & Tags } : { name };
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
    addGatewayAnswers(merged);
    if (!missing.length) this.cached = { at: Date.now(), document: merged };
    return merged;
  }
}
