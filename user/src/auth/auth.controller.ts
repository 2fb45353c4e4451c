import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { accessCookie, ACCESS_COOKIE, clearedCookies, readCookie, REFRESH_COOKIE, refreshCookie } from '@runrun/auth';
import { ApiErrors, CONFIG, requireUserId, USER_ROLE_HEADER, UserId } from '@runrun/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserConfig } from '../config';
import { LoginForm, LogoutQuery } from './auth.dto';
import { AuthService } from './auth.service';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';

class LoginAnswer {
  @ApiProperty({ description: 'send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;
}

class WhoAmI {
  @ApiProperty({ type: 'integer' })
  userId!: number;
  @ApiProperty({ enum: ['CUSTOMER', 'SELLER'] })
  role!: string;
}

@ApiTags('login and logout')
@Controller('users')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: UserConfig,
  ) {}

  /**
   * `{ accessToken }` and the refresh token as an HttpOnly cookie, as the original; also the access
   * token as an HttpOnly SameSite=Lax cookie, which the gateway accepts only on the checkout pages
   * and the payment confirm (browser navigation cannot send an Authorization header).
   */
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in' })
  @ApiOkResponse({
    type: LoginAnswer,
    description:
      'also `Set-Cookie: refreshToken=…` (HttpOnly, SameSite=Strict) and `accessToken=…` (HttpOnly, SameSite=Lax)',
  })
  @ApiErrors({ 401: ['WRONG_PASSWORD'], 404: ['EMAIL_NOT_FOUND'] })
  async login(
    @Body() form: LoginForm,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ accessToken: string }> {
    const { accessToken, refreshToken } = await this.auth.login(form.email, form.password);
    const { accessTtlSeconds, refreshTtlSeconds } = this.config.auth;
    void reply.header('set-cookie', [
      refreshCookie(refreshToken, refreshTtlSeconds),
      accessCookie(accessToken, accessTtlSeconds),
    ]);
    return { accessToken };
  }

  @Get('logout')
  @ApiOperation({ summary: 'Log out this session (SINGLE) or every session (ALL)' })
  @ApiOkResponse({ description: 'logged out (empty body); the token cookies are cleared' })
  @ApiErrors({ 403: ['EMPTY_REFRESH_TOKEN'] })
  async logout(
    @UserId() userId: number,
    @Query() query: LogoutQuery,
    @Headers() headers: FastifyRequest['headers'],
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const bearer = headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : undefined;
    const access = bearer ?? readCookie(headers.cookie, ACCESS_COOKIE);
    await this.auth.logout(userId, query.type, readCookie(headers.cookie, REFRESH_COOKIE), access);
    void reply.header('set-cookie', clearedCookies());
  }

  /** Who the gateway says the caller is; no database work (also the benchmarks' no-op call). */
  @Get('whoami')
  @ApiOperation({ summary: 'Who the access token says the caller is' })
  @ApiOkResponse({ type: WhoAmI })
  whoami(@Headers() headers: FastifyRequest['headers']): { userId: number; role: string } {
    return { userId: requireUserId(headers), role: String(headers[USER_ROLE_HEADER] ?? '') };
  }
}
