import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiExtension, ApiParam, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { IDENTITY_HEADERS } from './identity';
import { MAX_ID, OBJECT_ID } from './validation';

export const OPENAPI_PATH = '/openapi.json';

/** The envelope of every error answer (components/schemas/ErrorBody in every document). */
export const ERROR_BODY = 'ErrorBody';
const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'timestamp'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', description: 'what went wrong, stable: clients branch on it' },
    message: {
      description: 'a text, or field → message for REQUEST_ARGUMENT_NOT_VALID',
      oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    },
    timestamp: { type: 'string', format: 'date-time' },
  },
};

const ERROR_CODES = 'x-error-codes';

/**
 * `@ApiErrors({ 400: ['REQUEST_ARGUMENT_NOT_VALID'], 404: ['BRAND_NOT_FOUND'] })`: the error
 * answers of an operation, each status with the codes it may carry. Errors every operation of a
 * kind may answer (a malformed body, a path parameter too long) are added by `completeDocument`.
 */
export const ApiErrors = (errors: Record<number, string[]>) => ApiExtension(ERROR_CODES, errors);

/** Path parameters as `idPipe` and `objectIdPipe` take them. */
export const ApiIdParam = (name: string) =>
  ApiParam({ name, schema: { type: 'integer', minimum: 1, maximum: MAX_ID } });
export const ApiObjectIdParam = (name: string) =>
  ApiParam({ name, schema: { type: 'string', pattern: OBJECT_ID.source } });

export type JsonSchema = Record<string, unknown>;
interface Operation {
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; encoding?: object }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
  [ERROR_CODES]?: Record<string, string[]>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
  [key: string]: unknown;
}

/** The error answer for a status: the envelope with `code` limited to the codes listed. */
export const errorSchema = (codes: string[]): JsonSchema => ({
  allOf: [{ $ref: `#/components/schemas/${ERROR_BODY}` }, { type: 'object', properties: { code: { enum: codes } } }],
});

/** Adds error codes to an operation's answer for `status`, keeping those already listed. */
export function addErrorCodes(operation: Operation, status: number | string, codes: string[]): void {
  const response = operation.responses[status];
  const schema = response?.content?.['application/json']?.schema as
    { allOf?: [unknown, { properties: { code: { enum: string[] } } }] } | undefined;
  const known = schema?.allOf?.[1]?.properties?.code?.enum ?? [];
  const all = [...new Set([...known, ...codes])];
  // a description written for the operation is kept; codes it does not name are appended
  const written = response?.description ?? '';
  const unnamed = all.filter((code) => !written.includes(code));
  operation.responses[status] = {
    description: [written, unnamed.join(', ')].filter(Boolean).join('; '),
    content: { 'application/json': { schema: errorSchema(all) } },
  };
}

/**
 * What Nest's document generator leaves out, for every operation alike: the error answers with
 * their codes (declared with @ApiErrors, plus those of Fastify and the validation pipe), a
 * summary Redoc can list, and the multipart `form` part described as the JSON it is.
 */
export function completeDocument(document: OpenApiDocument): OpenApiDocument {
  document.components = { ...document.components };
  document.components.schemas = { ...document.components.schemas, [ERROR_BODY]: ERROR_BODY_SCHEMA };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const declared = operation[ERROR_CODES] ?? {};
      delete operation[ERROR_CODES];
      operation.summary ??= `${method.toUpperCase()} ${path}`;
      // identity headers are the gateway's to set, never the client's; one entry per header name
      const seen = new Set<string>();
      operation.parameters = (operation.parameters ?? [])
        .reverse()
        .filter((p) => {
          const key = `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
          if (seen.has(key) || (p.in === 'header' && IDENTITY_HEADERS.includes(p.name.toLowerCase() as never))) {
            return false;
          }
          return seen.add(key);
        })
        .reverse();
      const params = operation.parameters;
      const content = operation.requestBody?.content ?? {};
      const codes: Record<number, string[]> = {};
      const add = (status: number, ...list: string[]) => (codes[status] = [...(codes[status] ?? []), ...list]);
      if (params.some((p) => p.in === 'path' || p.in === 'query') || operation.requestBody) {
        add(400, 'REQUEST_ARGUMENT_NOT_VALID');
      }
      if (params.some((p) => p.in === 'path')) add(414, 'URI_TOO_LONG'); // the router's limit: 100 characters
      if (content['application/json']) {
        add(400, 'BAD_REQUEST'); // malformed JSON
        add(413, 'PAYLOAD_TOO_LARGE');
      }
      if (operation.requestBody) add(415, 'UNSUPPORTED_MEDIA_TYPE');
      const multipart = content['multipart/form-data'];
      if (multipart) multipart.encoding = { form: { contentType: 'application/json' } };
      for (const [status, list] of Object.entries(declared)) add(Number(status), ...list);
      for (const [status, list] of Object.entries(codes)) addErrorCodes(operation, status, list);
    }
  }
  return document;
}

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
  const document = completeDocument(SwaggerModule.createDocument(app, config) as unknown as OpenApiDocument);
  app
    .getHttpAdapter()
    .getInstance()
    .get(OPENAPI_PATH, async () => document);
}
