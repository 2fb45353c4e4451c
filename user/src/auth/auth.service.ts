import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TokenClaims, TokenRevocations, TokenSigner } from '@runrun/auth';
import { CONFIG } from '@runrun/common';
import { passwordMatches } from './password';
import { Repository } from 'typeorm';
import type { UserConfig } from '../config';
import { PiiCipher } from '../crypto/pii-cipher';
import { UserErrors } from '../errors';
import { User } from '../user/user.entity';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
}

@Injectable()
export class AuthService {
  private readonly signer: TokenSigner;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly cipher: PiiCipher,
    private readonly revocations: TokenRevocations,
    @Inject(CONFIG) config: UserConfig,
  ) {
    this.signer = new TokenSigner(config.auth);
  }

  async login(email: string, password: string): Promise<IssuedTokens> {
    const user = await this.users.findOneBy({ emailIndex: this.cipher.emailIndex(email) });
    if (!user) throw UserErrors.emailNotFound();
    if (!(await passwordMatches(user.password, password))) throw UserErrors.wrongPassword();
    const userId = Number(user.id);
    const generation = await this.revocations.generation(userId);
    const access = this.signer.sign(userId, user.type, 'access', generation);
    const refresh = this.signer.sign(userId, user.type, 'refresh', generation);
    await this.revocations.rememberRefresh(refresh.claims);
    return { accessToken: access.token, refreshToken: refresh.token };
  }

  /**
   * SINGLE revokes this session's refresh token and the access token the request came with; ALL
   * revokes every token of the user. The refresh token must be the caller's own.
   */
  async logout(userId: number, type: 'SINGLE' | 'ALL', refreshToken?: string, accessToken?: string): Promise<void> {
    const refresh = refreshToken ? this.signer.verify(refreshToken, 'refresh') : undefined;
    if (!refresh?.ok || refresh.claims.sub !== String(userId)) throw UserErrors.emptyRefreshToken();
    if (type === 'ALL') return this.revocations.revokeAll(userId);
    const access = accessToken ? this.signer.verify(accessToken, 'access') : undefined;
    const tokens: TokenClaims[] = [refresh.claims];
    if (access?.ok && access.claims.sub === String(userId)) tokens.push(access.claims);
    await this.revocations.revoke(...tokens);
  }
}
