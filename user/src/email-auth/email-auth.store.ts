import { Inject, Injectable } from '@nestjs/common';
import { loadScript, REDIS, RedisClient } from '@runrun/common';
import { createHash } from 'node:crypto';
import { RedisKeys } from '../redis-keys';

export interface EmailAuth {
  /** the code of the latest verification mail */
  code: string;
}

/** The scripts, each in its own file beside this one. */
const ISSUE_TICKET = loadScript(__dirname, 'issue-ticket.lua');
const TAKE_TICKET = loadScript(__dirname, 'take-ticket.lua');
const RESTORE_TICKET = loadScript(__dirname, 'restore-ticket.lua');

const ticketDigest = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * Pending e-mail verifications in Redis (`email-auths:<email>`, a hash with its TTL), shared by
 * every user-service replica: no server-side session is involved. The hash holds the code of the
 * latest mail and, once its link was opened, the SHA-256 of the one sign-up ticket that link
 * handed out (the ticket itself is only ever known to the client that opened the link).
 */
@Injectable()
export class EmailAuthStore {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /** A new request replaces the previous one: only the latest code verifies, and no earlier ticket is valid. */
  async save(email: string, auth: EmailAuth, ttlSeconds: number): Promise<void> {
    const key = RedisKeys.emailAuth(email);
    await this.redis.multi().del(key).hset(key, { code: auth.code }).expire(key, ttlSeconds).exec();
  }

  async find(email: string): Promise<EmailAuth | undefined> {
    const code = await this.redis.hget(RedisKeys.emailAuth(email), 'code');
    return code ? { code } : undefined;
  }

  /**
   * Binds `ticket` to the verification of `email` (replacing any earlier ticket) and gives the
   * shopper a fresh full period to sign up; false when `code` is no longer the latest one.
   */
  async issueTicket(email: string, code: string, ticket: string, ttlSeconds: number): Promise<boolean> {
    return (
      (await this.redis.eval(ISSUE_TICKET, 1, RedisKeys.emailAuth(email), code, ticketDigest(ticket), ttlSeconds)) === 1
    );
  }

  /** Atomically uses up the ticket of `email`; false when it is not the current ticket of that address. */
  async takeTicket(email: string, ticket: string): Promise<boolean> {
    return (await this.redis.eval(TAKE_TICKET, 1, RedisKeys.emailAuth(email), ticketDigest(ticket))) === 1;
  }

  /** After a sign-up that failed for a reason of ours, the shopper may try again with the same ticket. */
  async restoreTicket(email: string, ticket: string): Promise<void> {
    await this.redis.eval(RESTORE_TICKET, 1, RedisKeys.emailAuth(email), ticketDigest(ticket));
  }

  async delete(email: string): Promise<void> {
    await this.redis.del(RedisKeys.emailAuth(email));
  }
}
