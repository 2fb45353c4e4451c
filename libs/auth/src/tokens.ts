import { randomUUID } from 'node:crypto';
import jwt, { JwtPayload, TokenExpiredError } from 'jsonwebtoken';
import type { UserRole } from '@runrun/common';
import type { AuthConfig } from './config';

export type TokenType = 'access' | 'refresh';

/**
 * Claims: the original's `sub` (user id) and `role`, plus `typ` (an access token is never a
 * refresh token and back), `jti` (revocation of one token) and `gen` (the user's token
 * generation: logging out of every session bumps it, which revokes every earlier token).
 */
export interface TokenClaims {
  sub: string;
  role: UserRole;
  typ: TokenType;
  jti: string;
  gen: number;
  iat: number;
  exp: number;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

const ALGORITHM = 'HS256';

export class TokenSigner {
  constructor(private readonly config: AuthConfig) {}

  sign(userId: number, role: UserRole, typ: TokenType, generation: number): { token: string; claims: TokenClaims } {
    const ttl = typ === 'access' ? this.config.accessTtlSeconds : this.config.refreshTtlSeconds;
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      sub: String(userId),
      role,
      typ,
      jti: randomUUID(),
      gen: generation,
      iat,
      exp: iat + ttl,
    };
    return { token: jwt.sign(claims, this.config.jwtSecret, { algorithm: ALGORITHM, noTimestamp: true }), claims };
  }

  /** Signature (HS256 only: `alg: none` and other algorithms are refused), expiry and type. */
  verify(token: string, typ: TokenType): VerifyResult {
    try {
      const payload = jwt.verify(token, this.config.jwtSecret, { algorithms: [ALGORITHM] }) as JwtPayload;
      if (!isClaims(payload) || payload.typ !== typ) return { ok: false, reason: 'invalid' };
      return { ok: true, claims: payload };
    } catch (error) {
      return { ok: false, reason: error instanceof TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}

function isClaims(p: JwtPayload): p is JwtPayload & TokenClaims {
  return (
    typeof p.sub === 'string' &&
    /^\d+$/.test(p.sub) &&
    (p.role === 'SELLER' || p.role === 'CUSTOMER') &&
    (p.typ === 'access' || p.typ === 'refresh') &&
    typeof p.jti === 'string' &&
    typeof p.gen === 'number' &&
    typeof p.exp === 'number'
  );
}
