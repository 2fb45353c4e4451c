import type { RedisClient } from '@runrun/common';
import type { TokenClaims } from './tokens';

/**
 * Token state in Redis, shared by the user service and the gateway, every key of a user in the
 * user's hash slot (`{user id}`), so the one MGET of a request also runs on a Redis Cluster:
 * - `auth:revoked:{<user>}:<jti>` a logged-out token, until it would have expired anyway;
 * - `auth:generation:{<user>}`    the user's token generation; tokens of an older one are revoked;
 * - `auth:refresh:{<user>}:<jti>` a refresh token that may still be used once (rotation deletes it).
 */
const revokedKey = (claims: TokenClaims) => `auth:revoked:{${claims.sub}}:${claims.jti}`;
const generationKey = (userId: string | number) => `auth:generation:{${userId}}`;
const refreshKey = (claims: TokenClaims) => `auth:refresh:{${claims.sub}}:${claims.jti}`;

const remainingSeconds = (claims: TokenClaims) => Math.max(1, claims.exp - Math.floor(Date.now() / 1000));

export class TokenRevocations {
  constructor(private readonly redis: RedisClient) {}

  /** One round trip: is this token revoked, by itself or by a logout of every session? */
  async isRevoked(claims: TokenClaims): Promise<boolean> {
    const [revoked, generation] = await this.redis.mget(revokedKey(claims), generationKey(claims.sub));
    return revoked !== null || claims.gen < Number(generation ?? 0);
  }

  async generation(userId: number): Promise<number> {
    return Number((await this.redis.get(generationKey(userId))) ?? 0);
  }

  async revoke(...tokens: TokenClaims[]): Promise<void> {
    const multi = this.redis.multi();
    for (const claims of tokens) {
      multi.set(revokedKey(claims), '1', 'EX', remainingSeconds(claims));
      if (claims.typ === 'refresh') multi.del(refreshKey(claims));
    }
    await multi.exec();
  }

  /** Revokes every token of the user issued so far. */
  async revokeAll(userId: number): Promise<void> {
    await this.redis.incr(generationKey(userId));
  }

  async rememberRefresh(claims: TokenClaims): Promise<void> {
    await this.redis.set(refreshKey(claims), claims.sub, 'EX', remainingSeconds(claims));
  }

  /** Uses up a refresh token: true only for the first caller, so a token rotates once. */
  async consumeRefresh(claims: TokenClaims): Promise<boolean> {
    return (await this.redis.del(refreshKey(claims))) === 1;
  }
}
