/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export const REFRESH_COOKIE = 'refreshToken';
export const ACCESS_COOKIE = 'accessToken';

/** The original's refresh cookie: HttpOnly, SameSite=Strict, Path=/. */
export const refreshCookie = (token: string, maxAgeSeconds: number): string =>
  `${REFRESH_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict`;

export const accessCookie = (token: string, maxAgeSeconds: number): string =>
  `${ACCESS_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax`;

/** Set-Cookie values that remove both cookies (logout). */
export const clearedCookies = (): string[] => [
  `${REFRESH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`,
  `${ACCESS_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
];
