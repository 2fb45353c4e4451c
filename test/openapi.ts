import fc from 'fast-check';
import { gateway } from '@runrun/testkit';

/** The merged OpenAPI document the gateway serves, as the tests read it. */
export type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  default?: unknown;
};
export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}
export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export async function fetchDocument(): Promise<Document> {
  const res = await fetch(gateway('/docs/openapi.json'));
  if (res.status !== 200) throw new Error(`/docs/openapi.json ${res.status}`);
  return (await res.json()) as Document;
}

export const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );

/** Values of the right kind that exist (ids of the test's own brand, products, orders, addresses). */
export type Pools = Record<string, unknown[]>;

/**
 * fast-check arbitraries from JSON schemas: `valid` draws values the schema accepts (real ids from
 * the pools where the name says what the value is), `invalid` values it refuses or of another shape.
 */
export class SchemaArbitraries {
  constructor(
    private readonly doc: Document,
    private readonly pools: Pools,
  ) {}

  resolve(schema: Schema): Schema {
    if (schema.$ref) return this.resolve(this.doc.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.allOf) {
      const parts = schema.allOf.map((s) => this.resolve(s));
      return {
        ...Object.assign({}, ...parts),
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => p.required ?? []),
      } as Schema;
    }
    return schema;
  }

  valid(raw: Schema, name = ''): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const pool = this.pools[`${name}:${schema.type}`] ?? this.pools[name];
    const own = this.ownValid(schema, name);
    const withPool = pool?.length ? fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 3 }, own) : own;
    return schema.nullable ? fc.option(withPool, { nil: null, freq: 4 }) : withPool;
  }

  private ownValid(schema: Schema, name: string): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => this.valid(s, name)));
    const example = schema.example !== undefined ? [fc.constant(schema.example)] : [];
    switch (schema.type) {
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? -1_000_000;
        const max = schema.maximum ?? 1_000_000_000;
        const ints = fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max: Math.min(max, min + 1000) }));
        return fc.oneof(...example, ints, fc.integer({ min, max }));
      }
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const minLength = schema.minItems ?? 0;
        const maxLength = Math.min(schema.maxItems ?? 3, minLength + 2);
        return fc.array(this.valid(schema.items ?? {}, singular(name)), { minLength, maxLength });
      }
      case 'object':
      case undefined:
        if (!schema.properties) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }));
        return fc.record(
          Object.fromEntries(Object.entries(schema.properties).map(([key, s]) => [key, this.valid(s, key)])),
          { requiredKeys: schema.required ?? [] },
        );
      default:
        return fc.oneof(...example, this.validString(schema));
    }
  }

  private validString(schema: Schema): fc.Arbitrary<string> {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
    const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity);
    if (schema.pattern) {
      try {
        return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
      } catch {
        return fc.string({ minLength, maxLength }); // a pattern fast-check cannot draw from (lookaheads)
      }
    }
    if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    return fc.oneof(
      fc.string({ minLength, maxLength }),
      fc.string({ unit: 'grapheme', minLength, maxLength }).filter(fits), // Korean, emoji: several bytes each
    );
  }

  /** A value the schema refuses (or a value of another shape altogether). */
  invalid(raw: Schema, name = ''): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const anything = fc.jsonValue({ maxDepth: 2 });
    const options: fc.Arbitrary<unknown>[] = [anything];
    if (schema.type === 'integer' || schema.type === 'number') {
      const { minimum, maximum } = schema;
      options.push(fc.constantFrom(1.5, 1e300, -1e300, '12', 1.95e133, 'NaN', true));
      if (minimum !== undefined) options.push(fc.integer({ min: minimum - 1000, max: minimum - 1 }));
      if (maximum !== undefined) options.push(fc.integer({ min: maximum + 1, max: maximum + 1000 }));
    } else if (schema.type === 'string') {
      const over = (schema.maxLength ?? 200) + 1;
      options.push(fc.string({ minLength: over, maxLength: over + 30 }));
      options.push(fc.string({ unit: 'grapheme', minLength: over, maxLength: over + 10 }));
      if (schema.pattern)
        options.push(fc.string({ maxLength: 30 }).filter((s) => !new RegExp(schema.pattern!).test(s)));
      if (schema.pattern === '^[0-9a-f]{24}$') {
        options.push(fc.stringMatching(/^[0-9a-f]{24}$/).map((s) => s.toUpperCase()));
      }
    } else if (schema.type === 'array' && schema.items) {
      const tooMany = (schema.maxItems ?? 50) + 1;
      options.push(fc.array(this.valid(schema.items, singular(name)), { minLength: tooMany, maxLength: tooMany + 2 }));
      options.push(fc.tuple(this.invalid(schema.items)).map(([x]) => [x]));
    } else if (schema.properties) {
      options.push(this.mutatedObject(schema));
    }
    return fc.oneof(...options);
  }

  /** A valid object with one thing wrong: a field refused, a required one missing, or an unknown one. */
  private mutatedObject(schema: Schema): fc.Arbitrary<unknown> {
    const keys = Object.keys(schema.properties!);
    return fc
      .tuple(this.valid(schema), fc.constantFrom(...keys), fc.integer({ min: 0, max: 2 }))
      .chain(([value, key, how]) => {
        const object = { ...(value as Record<string, unknown>) };
        if (how === 0) return this.invalid(schema.properties![key], key).map((bad) => ({ ...object, [key]: bad }));
        if (how === 1) {
          delete object[key];
          return fc.constant(object);
        }
        return fc.constant({ ...object, unexpectedField: 1 });
      });
  }
}

const singular = (name: string) => (name.endsWith('Ids') ? name.slice(0, -1) : name === 'products' ? 'product' : name);
