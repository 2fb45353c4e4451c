import { completeDocument, errorSchema, OpenApiDocument } from './openapi';

describe('completeDocument', () => {
  const document = (): OpenApiDocument => ({
    paths: {
      '/things/{thingId}': {
        put: {
          parameters: [
            { in: 'path', name: 'thingId' },
            { in: 'header', name: 'x-user-id' },
            { in: 'header', name: 'idempotency-key' },
            { in: 'header', name: 'Idempotency-Key' },
          ],
          requestBody: { content: { 'application/json': { schema: {} } } },
          responses: { '200': { description: 'ok' }, '404': { description: 'THING_NOT_FOUND: no such thing' } },
          'x-error-codes': { 404: ['THING_NOT_FOUND'], 409: ['THING_BUSY'] },
        },
      },
    },
  });

  it('declares every error answer with its codes: declared ones and those of the body, path and router', () => {
    const op = completeDocument(document()).paths['/things/{thingId}'].put;
    const codes = (status: string) =>
      (op.responses[status].content!['application/json'].schema as ReturnType<typeof errorSchema>).allOf;
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '404', '409', '413', '414', '415']);
    expect(codes('400')).toEqual(errorSchema(['REQUEST_ARGUMENT_NOT_VALID', 'BAD_REQUEST']).allOf);
    expect(codes('404')).toEqual(errorSchema(['THING_NOT_FOUND']).allOf);
    expect(op.responses['404'].description).toBe('THING_NOT_FOUND: no such thing'); // written text kept
    expect(op.responses['409'].description).toBe('THING_BUSY');
    expect(op['x-error-codes']).toBeUndefined();
    expect(op.summary).toBe('PUT /things/{thingId}');
  });

  it('leaves out identity headers and keeps one entry per header name', () => {
    const op = completeDocument(document()).paths['/things/{thingId}'].put;
    expect(op.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:thingId', 'header:Idempotency-Key']);
  });
});
