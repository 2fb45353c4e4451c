import { gateway } from '@runrun/testkit';
import { Browser, chromium } from 'playwright-core';
import { fetchDocument, operationsOf } from './openapi';

/**
 * The Redoc page at /docs in a real headless browser (Debian's chromium) that may reach nothing
 * but this machine: the page loads Redoc from the gateway itself and lists every operation of
 * the merged document.
 */
describe('the /docs page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  afterAll(() => browser?.close());

  it('serves the Redoc bundle itself', async () => {
    const res = await fetch(gateway('/docs/redoc.standalone.js'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect((await res.text()).length).toBeGreaterThan(500_000);
  });

  it('lists every operation of the document, offline', async () => {
    const operations = operationsOf(await fetchDocument());
    const page = await browser.newPage();
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href); // as if there were no internet
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // the page's policy blocks Redoc's footer logo from its CDN, on purpose
      const blockedImage = /Content Security Policy directive: "img-src/.test(message.text());
      if (message.type() === 'error' && !blockedImage) errors.push(message.text());
    });
    await page.goto(gateway('/docs'));
    await page.waitForFunction(
      // runs in the page
      (n) =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('[data-item-id*="/operation/"]').length >= n,
      operations.length,
      { timeout: 30_000 },
    );
    const items = await page.$$eval('[data-item-id*="/operation/"]', (elements) =>
      elements.map((e) => ({ id: e.getAttribute('data-item-id') ?? '', label: (e.textContent ?? '').trim() })),
    );
    for (const { path, method, op } of operations) {
      const item = items.find((i) => i.id.endsWith(`/operation/${op.operationId}`));
      expect({ operation: `${method} ${path}`, listed: item?.label.includes(op.summary ?? '') }).toEqual({
        operation: `${method} ${path}`,
        listed: true,
      });
    }
    expect(items).toHaveLength(operations.length);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
