import { Injectable } from '@nestjs/common';
import { AppException } from '@runrun/common';
import { hashPassword } from '../auth/password';
import { transaction } from '@runrun/mysql';
import { DataSource, QueryFailedError } from 'typeorm';
import { AddressService } from '../address/address.service';
import { PiiCipher } from '../crypto/pii-cipher';
import { EmailAuthStore } from '../email-auth/email-auth.store';
import { UserErrors } from '../errors';
import { User } from '../user/user.entity';
import type { SignUpForm } from './signup.dto';

export type SignUpFields = Omit<SignUpForm, 'signupTicket'>;

@Injectable()
export class SignUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly emailAuths: EmailAuthStore,
    private readonly addresses: AddressService,
  ) {}

  /**
   * Creates the user and their default address in one transaction. Only the client that opened the
   * mailed link may do so: `ticket` must be the one that link handed out for this e-mail, and it is
   * used up atomically before anything else (of concurrent sign-ups with one ticket exactly one
   * goes on). Without it the answer is 401 whatever the state of the address, so only the owner of
   * the mailbox learns that an address is already registered. The verification lives in Redis,
   * not in a server session, so any replica serves it; it is deleted by the sign-up.
   */
  async signUp(form: SignUpFields, ticket: string | undefined): Promise<void> {
    if (!ticket || !(await this.emailAuths.takeTicket(form.email, ticket))) throw UserErrors.notVerifiedEmail();
    try {
      await this.create(form);
    } catch (error) {
      if (isAlreadyRegistered(error)) await this.emailAuths.delete(form.email);
      else await this.emailAuths.restoreTicket(form.email, ticket); // our failure: the shopper may retry
      throw error;
    }
    await this.emailAuths.delete(form.email);
  }

  private async create(form: SignUpFields): Promise<void> {
    const emailIndex = this.cipher.emailIndex(form.email);
    if (await this.dataSource.getRepository(User).existsBy({ emailIndex })) throw UserErrors.alreadyRegisteredEmail();
    const password = await hashPassword(form.password);
    try {
      await transaction(this.dataSource, async (tx) => {
        const { identifiers } = await tx.insert(User, {
          emailIndex,
          email: this.cipher.encrypt(form.email),
          phone: this.cipher.encrypt(form.phone),
          name: this.cipher.encrypt(form.name),
          password,
          type: form.userType,
        });
        await this.addresses.addFirst(tx, Number(identifiers[0].id), {
          receiverName: form.name,
          address: form.address,
          zipCode: form.zipCode,
          phone: form.phone,
        });
      });
    } catch (error) {
      // two sign-ups of one e-mail at once: the unique index lets one through
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === 'ER_DUP_ENTRY') {
        throw UserErrors.alreadyRegisteredEmail();
      }
      throw error;
    }
  }
}

export const isAlreadyRegistered = (error: unknown): boolean =>
  error instanceof AppException && error.code === 'ALREADY_REGISTER_EMAIL';
