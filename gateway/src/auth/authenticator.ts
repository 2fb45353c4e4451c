import {
  accessCookie,
  ACCESS_COOKIE,
  AuthConfig,
  readCookie,
  REFRESH_COOKIE,
  refreshCookie,
  TokenClaims,
  TokenRevocations,
  TokenSigner,
} from '@runrun/auth';
import type { UserRole } from '@runrun/common';

export interface Identity {
  userId: string;
  role: UserRole;
}

export type Authentication =
  | { kind: 'anonymous' }
  /** `refreshed`: new tokens to hand back (the access token had expired, the refresh cookie was good). */
  | { kind: 'user'; identity: Identity; refreshed?: { accessToken: string; setCookies: string[] } }
  | { kind: 'rejected' };

/** What `verify` found: no token, or the token with its signature check. */
export type Verified =
  { token?: undefined; access?: undefined } | { token: string; access: ReturnType<TokenSigner['verify']> };

export interface Credentials {
  authorization?: string;
  cookie?: string;
  /** Whether this path also takes the access token from the cookie (checkout pages). */
  tokenCookieAllowed: boolean;
}

/**
 * Who is calling: a valid, unexpired, not revoked access token (Bearer header, or the cookie on
 * checkout paths). An expired one is replaced once by a valid refresh cookie (rotation, as the
 * original). Anything else that carries a token is rejected; no token at all is anonymous.
 */
export class Authenticator {
  private readonly signer: TokenSigner;

  constructor(
    private readonly config: AuthConfig,
    private readonly revocations: TokenRevocations,
  ) {
    this.signer = new TokenSigner(config);
  }

  /**
   * The signed, unexpired access token of the request, checked without any store (one HMAC): who
   * the caller claims to be, before revocation is looked up. The door counts the rate limit on it
   * while `authenticate` asks Redis, so both go out together.
   */
  verify(credentials: Credentials): Verified {
    const token =
      bearer(credentials.authorization) ??
      (credentials.tokenCookieAllowed ? readCookie(credentials.cookie, ACCESS_COOKIE) : undefined);
    return token ? { token, access: this.signer.verify(token, 'access') } : {};
  }

  async authenticate(credentials: Credentials, verified: Verified = this.verify(credentials)): Promise<Authentication> {
    const { access } = verified;
    if (!access) return { kind: 'anonymous' };
    if (access.ok) {
      if (await this.revocations.isRevoked(access.claims)) return { kind: 'rejected' };
      return { kind: 'user', identity: identityOf(access.claims) };
    }
    if (access.reason === 'expired') return this.rotate(readCookie(credentials.cookie, REFRESH_COOKIE));
    return { kind: 'rejected' };
  }

  private async rotate(refreshToken: string | undefined): Promise<Authentication> {
    if (!refreshToken) return { kind: 'rejected' };
    const refresh = this.signer.verify(refreshToken, 'refresh');
    if (!refresh.ok || (await this.revocations.isRevoked(refresh.claims))) return { kind: 'rejected' };
    // single use: of two requests racing with the same refresh token, one rotates
    if (!(await this.revocations.consumeRefresh(refresh.claims))) return { kind: 'rejected' };
    const { sub, role, gen } = refresh.claims;
    const access = this.signer.sign(Number(sub), role, 'access', gen);
    const next = this.signer.sign(Number(sub), role, 'refresh', gen);
    await this.revocations.rememberRefresh(next.claims);
    return {
      kind: 'user',
      identity: identityOf(access.claims),
      refreshed: {
        accessToken: access.token,
        setCookies: [
          refreshCookie(next.token, this.config.refreshTtlSeconds),
          accessCookie(access.token, this.config.accessTtlSeconds),
        ],
      },
    };
  }
}

const identityOf = (claims: TokenClaims): Identity => ({ userId: claims.sub, role: claims.role });

function bearer(header: string | undefined): string | undefined {
  if (!header || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token || undefined;
}
