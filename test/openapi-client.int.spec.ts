import { ROOT } from '@runrun/launcher';
import { createBrand, createProduct, gateway, newShopper, productForm } from '@runrun/testkit';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { fetchDocument } from './openapi';

/**
 * A client generated from the merged document works: openapi-typescript writes the types,
 * a tiny openapi-fetch client written against them type-checks (and a wrong call does not), and
 * it reads a product and writes to a cart through the gateway.
 */
const CLIENT = `import createClient from 'openapi-fetch';
import type { paths } from './api';

export async function readAndWrite(baseUrl: string, token: string, productId: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + token } });
  const product = await client.GET('/products/{productId}', { params: { path: { productId } } });
  const added = await client.POST('/carts', { body: { id: productId, quantity: 2 } });
  const cart = await client.GET('/carts');
  const refused = await client.POST('/carts', { body: { id: productId.toUpperCase(), quantity: 1 } });
  return {
    name: product.data?.name,
    price: product.data?.price,
    added: added.response.status,
    inCart: cart.data?.[0]?.items[0]?.quantity,
    refused: refused.error?.code,
  };
}

export function wrongCalls(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error the quantity is a number
  void client.POST('/carts', { body: { id: 'x', quantity: 'two' } });
  // @ts-expect-error the product id is a path parameter
  void client.GET('/products/{productId}', {});
  // @ts-expect-error no such operation
  void client.DELETE('/products');
}
`;

describe('a client generated from the API document', () => {
  const dir = join(ROOT, '.local', 'test-openapi-client');
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const document = await fetchDocument();
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    // its command line, as a client project runs it (the package is ES modules, which jest cannot load)
    const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    execFileSync(process.execPath, [cli, join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')], { stdio: 'pipe' });
    writeFileSync(join(dir, 'client.ts'), CLIENT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks against the generated types, and a wrong call does not', () => {
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('reads a product and writes to the cart through the gateway', async () => {
    const [seller, customer] = await Promise.all([newShopper('SELLER'), newShopper()]);
    const productId = await createProduct(
      seller.auth,
      productForm(await createBrand(seller.auth), { name: 'Generated tee', price: 42000 }),
    );
    const js = ts.transpileModule(CLIENT, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    writeFileSync(join(dir, 'client.js'), js);
    const { readAndWrite } = require(join(dir, 'client.js')) as {
      readAndWrite: (base: string, token: string, id: string) => Promise<Record<string, unknown>>;
    };
    expect(await readAndWrite(gateway(''), customer.accessToken, productId)).toEqual({
      name: 'Generated tee',
      price: 42000,
      added: 200,
      inCart: 2,
      refused: 'REQUEST_ARGUMENT_NOT_VALID',
    });
  });
});
