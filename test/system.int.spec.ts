import { SERVICES } from '@runrun/launcher';
import { Types } from 'mongoose';
import { url } from './env';
import { withMongo } from './stores';

const { ObjectId } = Types;

/** What each service must reach before it says it is ready. */
const EXPECTED_CHECKS: Record<string, string[]> = {
  gateway: ['redis'],
  user: ['mysql', 'redis', 'kafka'],
  brand: ['mysql'],
  product: ['mongodb', 'redis', 'redlock', 'kafka'],
  order: ['mysql', 'redis', 'kafka'],
  payment: ['mysql', 'kafka'],
};

describe('the whole system on the real local servers', () => {
  it.each(SERVICES.map((s) => s.name))('%s is live and ready, with every store it uses up', async (name) => {
    const live = await fetch(`${url(name)}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${url(name)}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual([...EXPECTED_CHECKS[name]].sort());
    expect(Object.values(body.checks).every((c) => c === 'up')).toBe(true);
  });

  it('exposes Prometheus metrics with the HTTP histogram per route and status', async () => {
    await fetch(`${url('user')}/health/live`);
    const res = await fetch(`${url('user')}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('answers an unknown path with the error envelope, not a bare 404', async () => {
    const res = await fetch(`${url('order')}/no-such-path`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const res = await fetch(`${url('gateway')}/health/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('the gateway serves one Redoc page describing every service', async () => {
    const page = await fetch(`${url('gateway')}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<redoc spec-url="/docs/openapi.json">');
    const doc = (await (await fetch(`${url('gateway')}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      info: { description: string };
    };
    expect(doc.info.description).not.toContain('Not answering');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/users/email-auths',
        '/users/signup',
        '/users/login',
        '/users/logout',
        '/users/addresses/{addressId}',
        '/products/{productId}/stock',
      ]),
    );
    expect(Object.keys(doc.paths)).not.toContain('/health/ready');
    expect(doc.paths['/users/signup'].post).toMatchObject({ tags: ['sign-up'] });
  });

  describe('gateway', () => {
    const productId = new ObjectId();

    beforeAll(() =>
      withMongo((db) =>
        db.collection('products').insertOne({
          _id: productId,
          name: 'gateway test tee',
          price: 10000,
          discount: 10,
          quantity: 7,
          productBrand: { id: 1, name: 'brand' },
          userId: 1,
          isDeleted: false,
          orderingOpensAt: new Date(),
        }),
      ),
    );

    it('forwards a public request to the service behind the path and returns its answer', async () => {
      const res = await fetch(`${url('gateway')}/products/${productId.toHexString()}/stock`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: productId.toHexString(), name: 'gateway test tee', quantity: 7 });
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });

    it("passes the service's error envelope through unchanged", async () => {
      const res = await fetch(`${url('gateway')}/products/${new ObjectId().toHexString()}/stock`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
    });

    it('keeps the request id a client sent, end to end', async () => {
      const res = await fetch(`${url('gateway')}/products/${productId.toHexString()}/stock`, {
        headers: { 'x-request-id': 'trace-me-123' },
      });
      expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    });
  });
});
