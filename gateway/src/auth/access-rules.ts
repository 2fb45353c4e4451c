/** Who may call a path, as the original's SecurityConfig (first match wins). */
export type Access = 'public' | 'signed-in' | 'seller';

const PUBLIC_ANY_METHOD = [/^\/users\/email-auths(\/|$)/, /^\/users\/signup\/?$/, /^\/users\/login\/?$/];
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SELLER_WRITES = /^\/(products|brands)(\/|$)/;
const PUBLIC_READS = /^\/(products|files)(\/|$)/;

export function accessFor(method: string, path: string): Access {
  if (PUBLIC_ANY_METHOD.some((re) => re.test(path))) return 'public';
  if ((method === 'GET' || method === 'HEAD') && PUBLIC_READS.test(path)) return 'public';
  if (WRITE_METHODS.has(method) && SELLER_WRITES.test(path)) return 'seller';
  return 'signed-in';
}

/**
 * Pages a browser opens by navigation (checkout, the PG's redirects) and the payment confirm their
 * script sends cannot carry an Authorization header: there the access token may come from the
 * HttpOnly `accessToken` cookie set at login (SameSite=Lax, so other sites cannot post with it).
 */
export function acceptsTokenCookie(method: string, path: string): boolean {
  return (method === 'GET' && /^\/checkout(\/|$)/.test(path)) || (method === 'POST' && /^\/payments\/?$/.test(path));
}
