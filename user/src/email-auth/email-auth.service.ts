import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CONFIG, LOGGER } from '@runrun/common';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
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

  /**
   * Sends a verification link; asking again sends a new code, and the old link and any ticket it
   * handed out stop working. A registered address gets a mail saying so instead (no code): the
   * answer is the same either way, so it tells a caller nothing about the address.
   */
  async request(email: string): Promise<void> {
    if (await this.users.existsBy({ emailIndex: this.cipher.emailIndex(email) })) {
      return this.mail(email, '[RUNRUN] You already have an account', alreadyRegisteredText);
    }
    const code = randomUUID().replace(/-/g, '');
    await this.store.save(email, { code }, this.config.emailAuthTtlSeconds);
    const link = `${this.config.publicBaseUrl}/users/email-auths/verify?email=${encodeURIComponent(email)}&code=${code}`;
    await this.mail(email, '[RUNRUN] Verify your email', verificationText(link));
  }

  /**
   * The link in the mail: hands a new one-time sign-up ticket to whoever opened it, replacing any
   * earlier one (a mail scanner may have opened the link first; the shopper's own click still
   * works). Every failure is the same NOT_VALID_EMAIL, so the link cannot be used to probe addresses.
   */
  async verify(email: string, code: string): Promise<SignUpTicket> {
    const auth = await this.store.find(email);
    if (!auth || !sameCode(auth.code, code)) throw UserErrors.notValidEmail();
    const ticket = randomBytes(32).toString('base64url');
    const ttlSeconds = this.config.emailAuthTtlSeconds;
    if (!(await this.store.issueTicket(email, auth.code, ticket, ttlSeconds))) throw UserErrors.notValidEmail();
    return { ticket, ttlSeconds };
  }

  private async mail(to: string, subject: string, text: string): Promise<void> {
    try {
      await this.mailer.send(to, subject, text);
    } catch (error) {
      this.logger.error({ err: error }, 'verification mail not sent');
      throw UserErrors.mailSendFailed();
    }
  }
}

export interface SignUpTicket {
  /** the secret that POST /users/signup takes, once */
  ticket: string;
  ttlSeconds: number;
}

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const verificationText = (link: string) =>
  `Hi there,\nPlease click the link below if you agree to join our service.\n\n${link}\n\n` +
  `If you didn't expect this email, please ignore it.\nThanks, RUNRUN Team`;

const alreadyRegisteredText =
  `Hi there,\nSomeone asked to sign up to RUNRUN with this e-mail address, but it already has an account.\n\n` +
  `If it was you, log in with this address instead.\n` +
  `If it wasn't you, you can ignore this email: nothing was changed.\nThanks, RUNRUN Team`;
