import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, DependencyRegistry, LOGGER } from '@runrun/common';
import { createTransport, Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { UserConfig } from '../config';

/** Sends mail over real SMTP (locally Mailpit, in production the provider's SMTP relay). */
@Injectable()
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    @Inject(CONFIG) private readonly config: UserConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    dependencies: DependencyRegistry,
  ) {
    const { host, port, user, password } = config.mail;
    this.transport = createTransport({
      host,
      port,
      secure: port === 465,
      auth: user ? { user, pass: password } : undefined,
      pool: true,
      connectionTimeout: 5000,
      greetingTimeout: 5000,
    });
    dependencies.onShutdown(async () => this.transport.close());
  }

  async send(to: string, subject: string, text: string): Promise<void> {
    const info = await this.transport.sendMail({ from: this.config.mail.from, to, subject, text });
    this.logger.info({ messageId: info.messageId }, 'mail sent');
  }
}
