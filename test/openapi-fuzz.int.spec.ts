import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import {
  createBrand,
  createProduct,
  gateway,
  json,
  login,
  newShopper,
  orderForm,
  PNG,
  productForm,
  signUp,
} from '@runrun/testkit';
import { Document, fetchDocument, Operation, operationsOf, Pools, Schema, SchemaArbitraries } from './openapi';

/**
 * Every operation of the merged API document, called through the gateway with inputs drawn from
 * its own schemas (valid ones, and ones it says are refused), as a signed-in customer, a seller or
 * nobody. No answer may be a 5xx, and every answer must be one the document declares for the
 * operation, its body matching the declared schema.
 */
// FUZZ_RUNS and FUZZ_BUDGET_MS let a developer fuzz longer than the test suite does
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const RUNS_OF: Record<string, number> = {
  'GET /users/logout': 8, // each run signs in again
  'POST /users/email-auths': 10, // each run may send a mail
};
// the whole run stays within about this much time, however busy the machine: each operation gets
// its share of what is left, and fast-check stops drawing cases for it when its share is used
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 40_000);
const MIN_RUNS = 10;
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'DELETE']; // deletions last: the pools stay alive longer

type Who = 'customer' | 'seller' | 'none';
interface Case {
  who: Who;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: { kind: 'json' | 'raw' | 'multipart'; value: unknown; formAs?: 'text' | 'file'; images?: string[] };
}

describe('the API document, fuzzed through the gateway', () => {
  let doc: Document;
  let arbs: SchemaArbitraries;
  let auth: Record<Who, Record<string, string>>;
  let leaver: string;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  const validators = new WeakMap<object, ValidateFunction>();

  beforeAll(async () => {
    doc = await fetchDocument();
    ajv.addSchema({ $id: 'api', components: doc.components });
    const [customer, seller] = await Promise.all([newShopper(), newShopper('SELLER')]);
    leaver = await signUp();
    auth = { customer: customer.auth, seller: seller.auth, none: {} };
    const brandId = await createBrand(seller.auth);
    const productIds = await Promise.all(
      [1, 2, 3].map((n) => createProduct(seller.auth, productForm(brandId, { name: `Fuzz ${n}`, quantity: 1000 }))),
    );
    const order = await fetch(gateway('/orders'), json('POST', orderForm([[productIds[0], 1]]), customer.auth));
    const { orderId } = (await order.json()) as { orderId: string };
    await fetch(gateway('/carts'), json('POST', { id: productIds[1], quantity: 2 }, customer.auth));
    const mine = (await (await fetch(gateway('/orders/me'), { headers: customer.auth })).json()) as {
      content: { id: number }[];
    };
    const addresses = (await (await fetch(gateway('/users/addresses'), { headers: customer.auth })).json()) as {
      id: number;
    }[];
    const pools: Pools = {
      productId: productIds,
      id: productIds,
      brandId: [brandId],
      'orderId:integer': mine.content.map((o) => o.id),
      'orderId:string': [orderId],
      addressId: addresses.map((a) => a.id),
      categoryId: ['66ba11c4ab906f11f7ff0002'],
    };
    arbs = new SchemaArbitraries(doc, pools);
  });

  const validator = (schema: Schema): ValidateFunction => {
    let validate = validators.get(schema);
    if (!validate) {
      // refs point into the document's components, registered as the schema `api`
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')));
      validators.set(schema, validate);
    }
    return validate;
  };

  const caseOf = (op: Operation): fc.Arbitrary<Case> => {
    const either = (schema: Schema, name: string) =>
      fc.oneof(
        { weight: 4, arbitrary: arbs.valid(schema, name) },
        { weight: 1, arbitrary: arbs.invalid(schema, name) },
      );
    const params = (where: string) =>
      fc.record(
        Object.fromEntries(
          (op.parameters ?? []).filter((p) => p.in === where).map((p) => [p.name, either(p.schema ?? {}, p.name)]),
        ),
        { requiredKeys: (op.parameters ?? []).filter((p) => p.in === where && p.required).map((p) => p.name) },
      );
    const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:/+= '), maxLength: 220 });
    const headers = fc.record(
      Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'header').map((p) => [p.name, ascii])),
      { requiredKeys: [] },
    );
    return fc.record({
      who: fc.constantFrom<Who>('customer', 'customer', 'seller', 'seller', 'none'),
      params: params('path'),
      query: params('query'),
      headers,
      body: bodyOf(op),
    }) as fc.Arbitrary<Case>;
  };

  const bodyOf = (op: Operation): fc.Arbitrary<Case['body']> => {
    const content = op.requestBody?.content;
    if (!content) return fc.constant(undefined);
    const garbage = fc.constantFrom('{', '{"a":', 'null', '[]', '"text"', '', '\u0000');
    if (content['application/json']) {
      const schema = content['application/json'].schema;
      return fc.oneof(
        { weight: 5, arbitrary: arbs.valid(schema).map((value) => ({ kind: 'json' as const, value })) },
        { weight: 3, arbitrary: arbs.invalid(schema).map((value) => ({ kind: 'json' as const, value })) },
        { weight: 1, arbitrary: garbage.map((value) => ({ kind: 'raw' as const, value })) },
      );
    }
    const multipart = arbs.resolve(content['multipart/form-data'].schema);
    const formSchema = multipart.properties!.form;
    const imageNames = Object.keys(multipart.properties!).filter((k) => k !== 'form');
    const images = fc
      .tuple(...imageNames.map((n) => fc.constantFrom(n, n, `${n}:junk`, '')))
      .map((list) => list.filter(Boolean));
    const formAs = fc.constantFrom<'text' | 'file'>('text', 'file');
    return fc
      .oneof(
        { weight: 5, arbitrary: fc.record({ value: arbs.valid(formSchema), formAs, images }) },
        { weight: 3, arbitrary: fc.record({ value: arbs.invalid(formSchema), formAs, images }) },
        { weight: 1, arbitrary: fc.record({ value: garbage.map((g) => ({ raw: g })), formAs, images }) },
      )
      .map((b) => ({ kind: 'multipart' as const, ...b }));
  };

  const segment = (value: unknown) => {
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    // '', '.' and '..' are not values: they would name another path
    return text === '' || text === '.' || text === '..' ? `_${text}` : encodeURIComponent(text);
  };

  const request = async (method: string, path: string, c: Case, extra: Record<string, string>) => {
    const url = new URL(gateway(path.replace(/\{(\w+)\}/g, (_, name: string) => segment(c.params[name]))));
    for (const [k, v] of Object.entries(c.query)) {
      if (v !== undefined) url.searchParams.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    const headers: Record<string, string> = { ...c.headers, ...extra };
    let body: string | FormData | undefined;
    if (c.body?.kind === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(c.body.value) ?? 'null';
    } else if (c.body?.kind === 'raw') {
      headers['content-type'] = 'application/json';
      body = String(c.body.value);
    } else if (c.body?.kind === 'multipart') {
      const form = new FormData();
      const value = c.body.value as { raw?: string } | undefined;
      const text = value && typeof value === 'object' && 'raw' in value ? String(value.raw) : JSON.stringify(value);
      if (c.body.formAs === 'file') form.append('form', new Blob([text], { type: 'application/json' }), 'form.json');
      else form.append('form', text);
      for (const image of c.body.images ?? []) {
        const [name, junk] = image.split(':');
        form.append(name, new Blob([junk ? Buffer.from('not an image') : PNG], { type: 'image/png' }), `${name}.png`);
      }
      body = form;
    }
    return fetch(url, { method, headers, body, redirect: 'manual' });
  };

  /** Why an answer is not one the document declares, or undefined when it is. */
  const mismatch = async (op: Operation, res: Response): Promise<string | undefined> => {
    const text = await res.text();
    if (res.status >= 500) return `${res.status} ${text.slice(0, 300)}`;
    const declared = op.responses[String(res.status)];
    if (!declared) return `undeclared status ${res.status}: ${text.slice(0, 300)}`;
    if (!declared.content) return text === '' ? undefined : `${res.status} declared empty, got ${text.slice(0, 200)}`;
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    const media = declared.content[type];
    if (!media) return `${res.status} as ${type || 'no content type'}, declared ${Object.keys(declared.content)}`;
    if (type !== 'application/json' || !media.schema) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${res.status} is not JSON: ${text.slice(0, 200)}`;
    }
    const validate = validator(media.schema);
    if (validate(body)) return undefined;
    return `${res.status} body ${text.slice(0, 300)} does not match: ${ajv.errorsText(validate.errors)}`;
  };

  it(
    'no operation answers 5xx or anything its document does not declare',
    async () => {
      const operations = operationsOf(doc).sort(
        (a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
      );
      const counts: [string, number, string][] = [];
      const failures: string[] = [];
      const started = Date.now();
      for (const [index, { path, method, op }] of operations.entries()) {
        const share = (BUDGET_MS - (Date.now() - started)) / (operations.length - index);
        const name = `${method} ${path}`;
        const statuses = new Map<number, number>();
        const property = fc.asyncProperty(caseOf(op), async (c) => {
          let extra = auth[c.who];
          if (name === 'GET /users/logout' && c.who !== 'none') {
            const session = await login(leaver);
            extra = { ...session.auth, cookie: session.refreshCookie };
          }
          const res = await request(method, path, c, extra);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const why = await mismatch(op, res);
          if (why) throw new Error(why);
        });
        // every operation gets at least MIN_RUNS cases, then more while its share of the time lasts
        const runs = RUNS_OF[name] ?? RUNS;
        const opStarted = Date.now();
        const first = await fc.check(property, { numRuns: Math.min(MIN_RUNS, runs), endOnFailure: true });
        const rest =
          first.failed || runs <= MIN_RUNS
            ? undefined
            : await fc.check(property, {
                numRuns: runs - MIN_RUNS,
                endOnFailure: true,
                interruptAfterTimeLimit: Math.max(100, share - (Date.now() - opStarted)),
              });
        // an interrupt before its first case reports "failed" with no counterexample: not a failure
        const failedOn = [first, rest].find((r) => r?.failed && !(r.interrupted && r.counterexample === null));
        const seen = [...statuses].map(([s, n]) => `${s}×${n}`).join(' ');
        counts.push([name, first.numRuns + (rest?.numRuns ?? 0), seen]);
        if (failedOn) {
          const result = failedOn;
          const error = (result.errorInstance as Error | undefined)?.message ?? String(result.errorInstance);
          const example =
            JSON.stringify(result.counterexample?.[0]) ?? `none (${result.numRuns} runs, ${result.numSkips} skipped)`;
          failures.push(`${name}: ${error}\n    case: ${example.slice(0, 600)}`);
        }
      }
      console.log(
        `fuzzed ${counts.reduce((n, [, runs]) => n + runs, 0)} cases over ${counts.length} operations ` +
          `in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
          counts.map(([name, runs, seen]) => `${String(runs).padStart(4)}  ${name.padEnd(36)} ${seen}`).join('\n'),
      );
      expect(failures).toEqual([]);
    },
    BUDGET_MS * 3,
  );
});
