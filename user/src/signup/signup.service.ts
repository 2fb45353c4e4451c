import { Injectable } from '@nestjs/common';
import { hashPassword } from '../auth/password';
import { transaction } from '@runrun/mysql';
import { DataSource, QueryFailedError } from 'typeorm';
import { AddressService } from '../address/address.service';
import { PiiCipher } from '../crypto/pii-cipher';
import { EmailAuthStore } from '../email-auth/email-auth.store';
import { UserErrors } from '../errors';
import { User } from '../user/user.entity';
import type { SignUpForm } from './signup.dto';

@Injectable()
export class SignUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly emailAuths: EmailAuthStore,
    private readonly addresses: AddressService,
  ) {}

  /**
   * Creates the user and their default address in one transaction, once the e-mail is verified.
   * The verification is bound to the e-mail in Redis, not to a server session, so it works on any
   * replica and from another browser; it is used up by the sign-up.
   */
  async signUp(form: SignUpForm): Promise<void> {
    const emailIndex = this.cipher.emailIndex(form.email);
    if (await this.dataSource.getRepository(User).existsBy({ emailIndex })) throw UserErrors.alreadyRegisteredEmail();
    const auth = await this.emailAuths.find(form.email);
    if (!auth?.isVerified) throw UserErrors.notVerifiedEmail();

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
    await this.emailAuths.delete(form.email);
  }
}
