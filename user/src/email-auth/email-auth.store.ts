import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@runrun/common';
import type Redis from 'ioredis';

export interface EmailAuth {
  code: string;
  isVerified: boolean;
}

/**
 * Pending e-mail verifications in Redis (`email-auths:<email>`, a hash with its TTL), shared by
 * every user-service replica: no server-side session is involved.
 */
@Injectable()
export class EmailAuthStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private key(email: string): string {
    return `email-auths:${email.trim().toLowerCase()}`;
  }

  /** A new request replaces the previous one: only the latest code verifies. */
  async save(email: string, auth: EmailAuth, ttlSeconds: number): Promise<void> {
    const key = this.key(email);
    await this.redis
      .multi()
      .del(key)
      .hset(key, { code: auth.code, isVerified: auth.isVerified ? '1' : '0' })
      .expire(key, ttlSeconds)
      .exec();
  }

  async find(email: string): Promise<EmailAuth | undefined> {
    const hash = await this.redis.hgetall(this.key(email));
    if (!hash.code) return undefined;
    return { code: hash.code, isVerified: hash.isVerified === '1' };
  }

  async delete(email: string): Promise<void> {
    await this.redis.del(this.key(email));
  }
}
