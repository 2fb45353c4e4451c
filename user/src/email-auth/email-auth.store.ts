import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@runrun/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';

export interface EmailAuth {
  /** the code of the latest verification mail */
  code: string;
}

/** Hands out the sign-up ticket only while the code still is the latest one (a new mail may have replaced it). */
const ISSUE_TICKET = `
if redis.call('HGET', KEYS[1], 'code') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ticket', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

/** Uses the ticket up: of any number of callers with one ticket, exactly one gets 1. */
const TAKE_TICKET = `
if redis.call('HGET', KEYS[1], 'ticket') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'ticket')
return 1`;

/** Gives a taken ticket back, unless the verification is gone or a newer ticket was handed out since. */
const RESTORE_TICKET = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'ticket', ARGV[1])`;

const ticketDigest = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * Pending e-mail verifications in Redis (`email-auths:<email>`, a hash with its TTL), shared by
 * every user-service replica: no server-side session is involved. The hash holds the code of the
 * latest mail and, once its link was opened, the SHA-256 of the one sign-up ticket that link
 * handed out (the ticket itself is only ever known to the client that opened the link).
 */
@Injectable()
export class EmailAuthStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private key(email: string): string {
    return `email-auths:${email.trim().toLowerCase()}`;
  }

  /** A new request replaces the previous one: only the latest code verifies, and no earlier ticket is valid. */
  async save(email: string, auth: EmailAuth, ttlSeconds: number): Promise<void> {
    const key = this.key(email);
    await this.redis.multi().del(key).hset(key, { code: auth.code }).expire(key, ttlSeconds).exec();
  }

  async find(email: string): Promise<EmailAuth | undefined> {
    const code = await this.redis.hget(this.key(email), 'code');
    return code ? { code } : undefined;
  }

  /**
   * Binds `ticket` to the verification of `email` (replacing any earlier ticket) and gives the
   * shopper a fresh full period to sign up; false when `code` is no longer the latest one.
   */
  async issueTicket(email: string, code: string, ticket: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.eval(ISSUE_TICKET, 1, this.key(email), code, ticketDigest(ticket), ttlSeconds)) === 1;
  }

  /** Atomically uses up the ticket of `email`; false when it is not the current ticket of that address. */
  async takeTicket(email: string, ticket: string): Promise<boolean> {
    return (await this.redis.eval(TAKE_TICKET, 1, this.key(email), ticketDigest(ticket))) === 1;
  }

  /** After a sign-up that failed for a reason of ours, the shopper may try again with the same ticket. */
  async restoreTicket(email: string, ticket: string): Promise<void> {
    await this.redis.eval(RESTORE_TICKET, 1, this.key(email), ticketDigest(ticket));
  }

  async delete(email: string): Promise<void> {
    await this.redis.del(this.key(email));
  }
}
