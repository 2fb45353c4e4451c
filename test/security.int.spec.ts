import { brandForm, createBrand, createProduct, multipart, newShopper, productForm, Session } from '@runrun/testkit';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { TEST_DB, url } from './env';
import { withMongo, withMysql } from './stores';

/** One request with the path sent byte for byte (fetch would normalise `..`, `.` and `%2E`). */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A multipart body as a browser would send it (bytes and content type). */
async function encoded(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

// Paths that a router, a proxy or a service might take for /brands or /products.
const BRAND_VARIANTS = [
  '/%62rands',
  '/%62%72%61%6e%64%73',
  '/brands/',
  '//brands',
  '/./brands',
  '/brands/.',
  '/x/../brands',
  '/products/../brands',
  '/products/%2E%2E/brands',
  '/products/%2e%2e/brands',
  '/Brands',
  '/BRANDS',
  '/%2562rands',
  '/products/%252E%252E/brands',
  '/brands%2F',
  '/products%2F..%2Fbrands',
  '/products/%5C..%5Cbrands',
  '/brands%00',
  '/brands;',
  '/brands%20',
];
const PRODUCT_VARIANTS = [
  '/%70roducts',
  '/products/',
  '//products',
  '/./products',
  '/brands/%2E%2E/products',
  '/Products',
  '/%2570roducts',
];

describe('the gateway judges exactly the path it forwards', () => {
  let customer: Session;
  let seller: Session;
  let brandId: number;
  let productId: string;
  const gateway = url('gateway');

  beforeAll(async () => {
    [customer, seller] = await Promise.all([newShopper('CUSTOMER'), newShopper('SELLER')]);
    brandId = await createBrand(seller.auth);
    productId = await createProduct(seller.auth, productForm(brandId));
  });

  const brandsOf = (userId: number) =>
    withMysql(TEST_DB.brand, async (q) => (await q('SELECT id FROM brands WHERE user_id = ?', [userId])).length);
  const productsOf = (userId: number) =>
    withMongo((db) => db.collection('products').countDocuments({ userId: { $in: [userId, String(userId)] } }));

  it.each(BRAND_VARIANTS.map((p) => [p]))('POST %s is refused for a customer and an anonymous client', async (path) => {
    const { body, contentType } = await encoded(multipart(brandForm(), {}));
    const asCustomer = await raw(gateway, 'POST', path, { ...customer.auth, 'content-type': contentType }, body);
    const anonymous = await raw(gateway, 'POST', path, { 'content-type': contentType }, body);
    expect([400, 403, 404]).toContain(asCustomer.status);
    expect([400, 401, 404]).toContain(anonymous.status);
    expect(JSON.parse(asCustomer.body)).toHaveProperty('code');
  });

  it.each(PRODUCT_VARIANTS.map((p) => [p]))(
    'POST %s is refused for a customer and an anonymous client',
    async (path) => {
      const { body, contentType } = await encoded(multipart(productForm(brandId), {}));
      const asCustomer = await raw(gateway, 'POST', path, { ...customer.auth, 'content-type': contentType }, body);
      const anonymous = await raw(gateway, 'POST', path, { 'content-type': contentType }, body);
      expect([400, 403, 404]).toContain(asCustomer.status);
      expect([400, 401, 404]).toContain(anonymous.status);
    },
  );

  it('refuses a customer deleting or changing a product through encoded paths; the product stays', async () => {
    for (const path of [`/%70roducts/${productId}`, `/products/${productId}/`, `//products/./${productId}`]) {
      expect([403, 404]).toContain((await raw(gateway, 'DELETE', path, customer.auth)).status);
      expect([403, 404]).toContain((await raw(gateway, 'PUT', path, customer.auth)).status);
    }
    const product = await fetch(`${gateway}/products/${productId}`);
    expect(product.status).toBe(200);
  });

  it('after every attempt, the customer owns no brand and no product', async () => {
    expect(await brandsOf(customer.userId)).toBe(0);
    expect(await productsOf(customer.userId)).toBe(0);
  });

  it('answers the canonical forms for whoever may use them: a seller creates through /%62rands/', async () => {
    const { body, contentType } = await encoded(multipart(brandForm({ name: 'Encoded path' }), {}));
    const res = await raw(gateway, 'POST', '/%62rands/', { ...seller.auth, 'content-type': contentType }, body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('id');
    expect((await raw(gateway, 'GET', `/%70roducts/./${productId}/stock`)).status).toBe(200);
  });

  it('answers a path without a canonical form 400 with the envelope, whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/products/%252E%252E/brands'],
      ['GET', '/../products'],
      ['POST', '/orders%2F1'],
    ]) {
      const res = await raw(gateway, method, path, customer.auth);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST' });
    }
  });
});

describe('brand and product writes require the SELLER role in the services themselves', () => {
  let customer: Session;
  let seller: Session;
  let brandId: number;
  let productId: string;

  beforeAll(async () => {
    [customer, seller] = await Promise.all([newShopper('CUSTOMER'), newShopper('SELLER')]);
    brandId = await createBrand(seller.auth);
    productId = await createProduct(seller.auth, productForm(brandId));
  });

  // what a request that reached a service around the gateway would carry
  const around = (userId: number, role?: string) => ({
    'x-user-id': String(userId),
    ...(role ? { 'x-user-role': role } : {}),
  });

  it.each([['CUSTOMER'], [undefined]])('role %s: brand create and update are 403', async (role) => {
    const { body, contentType } = await encoded(multipart(brandForm(), {}));
    const headers = { ...around(customer.userId, role), 'content-type': contentType };
    expect((await raw(url('brand'), 'POST', '/brands', headers, body)).status).toBe(403);
    const asOwner = { ...around(seller.userId, role), 'content-type': contentType };
    expect((await raw(url('brand'), 'PUT', `/brands/${brandId}`, asOwner, body)).status).toBe(403);
  });

  it.each([['CUSTOMER'], [undefined]])('role %s: product create, update and delete are 403', async (role) => {
    const { body, contentType } = await encoded(multipart(productForm(brandId), {}));
    const headers = { ...around(customer.userId, role), 'content-type': contentType };
    expect((await raw(url('product'), 'POST', '/products', headers, body)).status).toBe(403);
    const asOwner = { ...around(seller.userId, role), 'content-type': contentType };
    expect((await raw(url('product'), 'PUT', `/products/${productId}`, asOwner, body)).status).toBe(403);
    const deleted = await raw(url('product'), 'DELETE', `/products/${productId}`, around(seller.userId, role));
    expect(deleted.status).toBe(403);
    expect(JSON.parse(deleted.body)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await fetch(`${url('gateway')}/products/${productId}`)).status).toBe(200);
  });
});

describe('refresh-token rotation under concurrent refreshes', () => {
  /** The local development secret the test system runs with (no JWT_SECRET set). */
  const DEV_SECRET = 'runrun-local-development-jwt-secret-not-for-production';
  const now = () => Math.floor(Date.now() / 1000);

  it('of 30 requests racing with one refresh cookie, exactly one rotates; the new refresh token rotates once', async () => {
    const shopper = await newShopper();
    const expired = jwt.sign(
      {
        sub: String(shopper.userId),
        role: 'CUSTOMER',
        iat: now() - 60,
        exp: now() - 10,
        jti: randomUUID(),
        gen: 0,
        typ: 'access',
      },
      DEV_SECRET,
      { algorithm: 'HS256' },
    );
    const withCookie = (cookie: string) =>
      fetch(`${url('gateway')}/users/whoami`, { headers: { authorization: `Bearer ${expired}`, cookie } });
    const answers = await Promise.all(Array.from({ length: 30 }, () => withCookie(shopper.refreshCookie)));
    const rotated = answers.filter((r) => r.status === 200);
    expect(rotated).toHaveLength(1);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(29);
    const next = rotated[0].headers
      .getSetCookie()
      .find((c) => c.startsWith('refreshToken='))!
      .split(';')[0];
    const again = await Promise.all(Array.from({ length: 10 }, () => withCookie(next)));
    expect(again.filter((r) => r.status === 200)).toHaveLength(1);
  });
});
