import { Inject, Injectable } from '@nestjs/common';
import { CLIENT_IP_HEADER, CONFIG, loadScript, REDIS, RedisClient } from '@runrun/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { UserConfig } from '../config';
import { PiiCipher } from '../crypto/pii-cipher';
import { RedisKeys } from '../redis-keys';

const TAKE = loadScript(__dirname, 'take-limits.lua');

interface Rule {
  key: string;
  limit: number;
  windowMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * The client's address: the gateway resolves it and sends it as X-CLIENT-IP (after dropping any
 * the client sent); a request that did not come through the gateway counts by its own address.
 */
export function clientAddress(request: FastifyRequest): string {
  const header = request.headers[CLIENT_IP_HEADER];
  return typeof header === 'string' && isIP(header) ? header : request.ip;
}

/**
 * How often verification mails may be asked for, per address and per client, counted in Redis so
 * that every replica sees the same counts. An address is counted whatever its state (unknown,
 * pending, registered), so the limit reveals nothing about it; the address is keyed by its blind
 * index, never stored in the clear.
 */
@Injectable()
export class MailLimits {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) private readonly config: UserConfig,
    private readonly cipher: PiiCipher,
  ) {}

  /** Counts one request for `email` from `client`; 0 when it may go on, else milliseconds to wait. */
  async take(email: string, client: string): Promise<number> {
    const { addressIntervalSeconds, addressPerHour, clientPerHour } = this.config.mailLimits;
    const address = this.cipher.emailIndex(email);
    const rules: Rule[] = [
      { key: RedisKeys.mailLimit('address', address, 'interval'), limit: 1, windowMs: addressIntervalSeconds * 1000 },
      { key: RedisKeys.mailLimit('address', address, 'hour'), limit: addressPerHour, windowMs: HOUR_MS },
      { key: RedisKeys.mailLimit('client', client, 'hour'), limit: clientPerHour, windowMs: HOUR_MS },
    ].filter((rule) => rule.limit > 0 && rule.windowMs > 0);
    if (rules.length === 0) return 0;
    const args = rules.flatMap((rule) => [rule.limit, rule.windowMs]);
    const wait = await this.redis.eval(
      TAKE,
      rules.length,
      ...rules.map((rule) => rule.key),
      Date.now(),
      randomUUID(),
      ...args,
    );
    return Number(wait);
  }
}
