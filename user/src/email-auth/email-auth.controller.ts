import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ApiErrors, CONFIG } from '@runrun/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserConfig } from '../config';
import { UserErrors } from '../errors';
import { signupTicketCookie } from '../signup/signup-ticket-cookie';
import { EmailAuthForm, SignUpTicketAnswer, VerifyEmailQuery } from './email-auth.dto';
import { EmailAuthService } from './email-auth.service';
import { clientAddress, MailLimits } from './mail-limits';

@ApiTags('e-mail verification')
@Controller('users/email-auths')
export class EmailAuthController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly emailAuths: EmailAuthService,
    private readonly limits: MailLimits,
    @Inject(CONFIG) config: UserConfig,
  ) {
    this.secureCookies = config.publicBaseUrl.startsWith('https:');
  }

  /**
   * Sends the verification link to the address, or, if the address already has an account, a mail
   * saying so. The answer is the same in both cases.
   */
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Send the verification mail' })
  @ApiOkResponse({ description: 'a mail is on its way (whether or not the address has an account); empty body' })
  @ApiErrors({ 429: ['TOO_MANY_REQUESTS'], 503: ['MAIL_SEND_FAILED'] })
  @ApiTooManyRequestsResponse({
    description:
      'TOO_MANY_REQUESTS: too many mails asked for this address (one a minute, five an hour by default) ' +
      'or from this client (twenty an hour); `Retry-After` says when to try again',
  })
  @ApiServiceUnavailableResponse({ description: 'MAIL_SEND_FAILED: the mail could not be sent' })
  async request(
    @Body() form: EmailAuthForm,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const waitMs = await this.limits.take(form.email, clientAddress(request));
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      throw UserErrors.tooManyRequests();
    }
    await this.emailAuths.request(form.email);
  }

  /**
   * The link in the e-mail: hands a one-time sign-up ticket to the client that opened it, in the
   * answer and as an HttpOnly cookie that only POST /users/signup receives.
   */
  @Get('verify')
  @ApiOperation({ summary: 'The link in the mail: hands out the one-time sign-up ticket' })
  @ApiErrors({ 400: ['NOT_VALID_EMAIL'] })
  @ApiOkResponse({
    type: SignUpTicketAnswer,
    description: 'the ticket; also `Set-Cookie: signupTicket=…; Path=/users/signup; Max-Age=…; HttpOnly; SameSite=Lax`',
  })
  @ApiBadRequestResponse({
    description: 'NOT_VALID_EMAIL for every failure: unknown address, wrong or replaced code, expired',
  })
  async verify(
    @Query() query: VerifyEmailQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignUpTicketAnswer> {
    const { ticket, ttlSeconds } = await this.emailAuths.verify(query.email, query.code);
    void reply
      .header('set-cookie', signupTicketCookie(ticket, ttlSeconds, this.secureCookies))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer');
    return { signupTicket: ticket, expiresInSeconds: ttlSeconds };
  }
}
