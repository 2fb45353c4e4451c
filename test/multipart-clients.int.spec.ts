import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brandForm, createBrand, createProduct, gateway, newShopper, PNG, productForm } from '@runrun/testkit';

const run = promisify(execFile);

/**
 * Brand and product writes sent by real curl, in every way clients encode the JSON `form` part:
 * untyped text, text typed application/json (Spring's @RequestPart clients and most HTTP tools)
 * and a JSON file part.
 */
describe('multipart clients (curl -F)', () => {
  let dir: string;
  let auth: string;
  let brandId: number;
  let productId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runrun-curl-'));
    writeFileSync(join(dir, 't.png'), PNG);
    const seller = await newShopper('SELLER');
    auth = seller.auth.authorization;
    brandId = await createBrand(seller.auth);
    productId = await createProduct(seller.auth, productForm(brandId));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `-F form...` arguments for the encoding, the JSON written to a file where one is needed. */
  const formPart = (encoding: string, form: unknown): string[] => {
    const text = JSON.stringify(form);
    switch (encoding) {
      case 'untyped text':
        return ['-F', `form=${text}`];
      case 'JSON-typed text':
        return ['-F', `form=${text};type=application/json`];
      case 'JSON-typed text with charset':
        return ['-F', `form=${text};type=application/json; charset=utf-8`];
      case 'JSON file': {
        const file = join(dir, `form-${Math.random().toString(36).slice(2)}.json`);
        writeFileSync(file, text);
        return ['-F', `form=@${file};type=application/json`];
      }
      default:
        throw new Error(encoding);
    }
  };

  const curl = async (method: string, path: string, args: string[], as = auth) => {
    const { stdout } = await run('curl', [
      '-sS',
      '-X',
      method,
      '-H',
      `authorization: ${as}`,
      ...args,
      '-w',
      '\n%{http_code}',
      gateway(path),
    ]);
    const lines = stdout.split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  };
  const image = (field: string) => ['-F', `${field}=@${join(dir, 't.png')};type=image/png`];

  const encodings = ['untyped text', 'JSON-typed text', 'JSON-typed text with charset', 'JSON file'];

  it.each(encodings)('POST /brands with the form as %s', async (encoding) => {
    const fresh = await newShopper('SELLER'); // at most 5 brands per seller
    const res = await curl(
      'POST',
      '/brands',
      [...formPart(encoding, brandForm({ name: 'Curl brand' })), ...image('image')],
      fresh.auth.authorization,
    );
    expect(res).toMatchObject({ status: 200 });
    const { id } = JSON.parse(res.body) as { id: number };
    const read = (await (await fetch(gateway(`/brands/${id}`), { headers: fresh.auth })).json()) as { name: string };
    expect(read.name).toBe('Curl brand');
  });

  it.each(encodings)('PUT /brands/{id} with the form as %s', async (encoding) => {
    const { registrationNumber: _, ...update } = brandForm({ name: `Renamed ${encoding}` });
    const res = await curl('PUT', `/brands/${brandId}`, formPart(encoding, update));
    expect(res).toMatchObject({ status: 200 });
    const read = (await (await fetch(gateway(`/brands/${brandId}`), { headers: { authorization: auth } })).json()) as {
      name: string;
    };
    expect(read.name).toBe(`Renamed ${encoding}`);
  });

  describe('products', () => {
    it.each(encodings)('POST /products with the form as %s', async (encoding) => {
      const res = await curl('POST', '/products', [
        ...formPart(encoding, productForm(brandId, { name: `Curl ${encoding}` })),
        ...image('thumbnail'),
        ...image('descriptionImage'),
      ]);
      expect(res).toMatchObject({ status: 200 });
      const { id } = JSON.parse(res.body) as { id: string };
      const read = (await (await fetch(gateway(`/products/${id}`))).json()) as { name: string };
      expect(read.name).toBe(`Curl ${encoding}`);
    });

    it.each(encodings)('PUT /products/{id} with the form as %s', async (encoding) => {
      const { brandId: _, ...update } = productForm(brandId, { name: `Updated ${encoding}` });
      const res = await curl('PUT', `/products/${productId}`, formPart(encoding, update));
      expect(res).toMatchObject({ status: 200 });
      const read = (await (await fetch(gateway(`/products/${productId}`))).json()) as { name: string };
      expect(read.name).toBe(`Updated ${encoding}`);
    });

    it('a JSON-typed form part that is not JSON is 400 naming the part', async () => {
      const res = await curl('POST', '/products', ['-F', 'form={"name":;type=application/json', ...image('thumbnail')]);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({
        code: 'REQUEST_ARGUMENT_NOT_VALID',
        message: { form: 'must be JSON' },
      });
    });
  });
});
