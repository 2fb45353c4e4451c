import { canonicalPath, canonicalUrl } from './canonical-path';

describe('canonical request path', () => {
  it.each([
    ['/brands', '/brands'],
    ['/%62rands', '/brands'],
    ['/%62%72%61%6E%64%73', '/brands'],
    ['/brands/', '/brands'],
    ['//brands', '/brands'],
    ['/./brands', '/brands'],
    ['/brands/./1', '/brands/1'],
    ['/products/../brands', '/brands'],
    ['/products/%2E%2E/brands', '/brands'],
    ['/products/%2e/brands', '/products/brands'],
    ['/Brands', '/Brands'],
    ['/products/66d12353a6b72914dbd2bf1d/stock', '/products/66d12353a6b72914dbd2bf1d/stock'],
    ['/files/PRODUCT/2024-09-01/a%20b.jpg', '/files/PRODUCT/2024-09-01/a%20b.jpg'],
    ['/users/%ED%95%9C', '/users/%ED%95%9C'],
    ['/users/한', '/users/%ED%95%9C'],
    ['/checkout/a:b@c+d', '/checkout/a:b@c+d'],
    ['/', '/'],
  ])('%s is %s', (raw, canonical) => {
    expect(canonicalPath(raw)).toEqual({ ok: true, path: canonical });
  });

  it.each([
    ['double encoding', '/%2562rands'],
    ['double-encoded dot-dot', '/products/%252E%252E/brands'],
    ['encoded slash', '/products%2Fbrands'],
    ['encoded backslash', '/products/%5C..%5Cbrands'],
    ['malformed escape', '/brands%'],
    ['invalid UTF-8', '/brands/%C0%AF'],
    ['NUL', '/brands%00'],
    ['above the root', '/../brands'],
    ['not absolute', 'brands'],
  ])('refuses %s (%s)', (_, raw) => {
    expect(canonicalPath(raw)).toEqual({ ok: false });
  });

  it('keeps the query as sent', () => {
    expect(canonicalUrl('/%6Frders/me/?page=1&size=%32')).toBe('/orders/me?page=1&size=%32');
    expect(canonicalUrl('/%2562?x=1')).toBeUndefined();
  });
});
