import { acceptsTokenCookie, accessFor } from './access-rules';

describe('access rules at the gateway (the original SecurityConfig)', () => {
  it.each([
    ['POST', '/users/email-auths', 'public'],
    ['GET', '/users/email-auths/verify', 'public'],
    ['POST', '/users/signup', 'public'],
    ['POST', '/users/login', 'public'],
    ['GET', '/products', 'public'],
    ['GET', '/products/abc/stock', 'public'],
    ['POST', '/products', 'seller'],
    ['PUT', '/products/abc', 'seller'],
    ['DELETE', '/products/abc', 'seller'],
    ['POST', '/brands', 'seller'],
    ['PUT', '/brands/1', 'seller'],
    ['GET', '/brands/1', 'signed-in'],
    ['GET', '/users/logout', 'signed-in'],
    ['GET', '/users/addresses', 'signed-in'],
    ['POST', '/orders', 'signed-in'],
    ['GET', '/carts', 'signed-in'],
    ['GET', '/checkout/abc', 'signed-in'],
    ['POST', '/payments', 'signed-in'],
    ['GET', '/users/signupx', 'signed-in'],
    ['GET', '/productsx', 'signed-in'],
    ['GET', '/files/PRODUCT/2024-09-01/a.jpg', 'public'],
    ['POST', '/files/PRODUCT/x', 'signed-in'],
  ])('%s %s is %s', (method, path, access) => {
    expect(accessFor(method, path)).toBe(access);
  });

  it('takes the access token from the cookie only on checkout pages and the payment confirm', () => {
    expect(acceptsTokenCookie('GET', '/checkout/20240901-abc')).toBe(true);
    expect(acceptsTokenCookie('POST', '/payments')).toBe(true);
    expect(acceptsTokenCookie('POST', '/orders')).toBe(false);
    expect(acceptsTokenCookie('DELETE', '/users/addresses/1')).toBe(false);
  });
});
