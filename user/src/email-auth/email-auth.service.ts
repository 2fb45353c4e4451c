import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CONFIG, LOGGER } from '@runrun/common';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Repository } from 'typeorm';
import type { UserConfig } from '../config';
import { PiiCipher } from '../crypto/pii-cipher';
import { UserErrors } from '../errors';
import { Mailer } from '../mail/mailer';
import { User } from '../user/user.entity';
import { EmailAuthStore } from './email-auth.store';

@Injectable()
export class EmailAuthService {
  constructor(
    private readonly store: EmailAuthStore,
    private readonly mailer: Mailer,
    private readonly cipher: PiiCipher,
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(CONFIG) private readonly config: UserConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Sends a verification link; asking again sends a new code and the old one stops working. */
  async request(email: string): Promise<void> {
    if (await this.users.existsBy({ emailIndex: this.cipher.emailIndex(email) }))
      throw UserErrors.alreadyRegisteredEmail();
    const code = randomUUID().replace(/-/g, '');
    await this.store.save(email, { code, isVerified: false }, this.config.emailAuthTtlSeconds);
    const link = `${this.config.publicBaseUrl}/users/email-auths/verify?email=${encodeURIComponent(email)}&code=${code}`;
    try {
      await this.mailer.send(email, '[RUNRUN] Verify your email', verificationText(link));
    } catch (error) {
      this.logger.error({ err: error }, 'verification mail not sent');
      throw UserErrors.mailSendFailed();
    }
  }

  async verify(email: string, code: string): Promise<void> {
    const auth = await this.store.find(email);
    if (!auth) throw UserErrors.notValidEmail();
    if (auth.isVerified) throw UserErrors.alreadyVerified();
    if (!sameCode(auth.code, code)) throw UserErrors.emailVerifyCodeUnmatched();
    // verified: the shopper has a fresh full period to finish signing up
    await this.store.save(email, { code: auth.code, isVerified: true }, this.config.emailAuthTtlSeconds);
  }
}

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const verificationText = (link: string) =>
  `Hi there,\nPlease click the link below if you agree to join our service.\n\n${link}\n\n` +
  `If you didn't expect this email, please ignore it.\nThanks, RUNRUN Team`;
