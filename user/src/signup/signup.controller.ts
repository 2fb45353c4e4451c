import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { readCookie } from '@runrun/auth';
import { ApiErrors, CONFIG } from '@runrun/common';
import type { FastifyReply } from 'fastify';
import type { UserConfig } from '../config';
import { SignUpForm } from './signup.dto';
import { isAlreadyRegistered, SignUpService } from './signup.service';
import { clearedSignupTicketCookie, SIGNUP_TICKET_COOKIE } from './signup-ticket-cookie';

@ApiTags('sign-up')
@Controller('users/signup')
export class SignUpController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly signUps: SignUpService,
    @Inject(CONFIG) config: UserConfig,
  ) {
    this.secureCookies = config.publicBaseUrl.startsWith('https:');
  }

  /** Needs the sign-up ticket of this e-mail: the body's `signupTicket`, else the `signupTicket` cookie. */
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign up with the ticket that opening the verification link handed out',
    description:
      'The ticket comes as the body field `signupTicket`, or as the HttpOnly cookie `signupTicket` ' +
      '(Path=/users/signup) that the link set in the browser which opened it. It is bound to the ' +
      'e-mail and used up by the first sign-up that presents it.',
  })
  @ApiOkResponse({ description: 'signed up (empty body); the ticket is used up (its cookie is cleared)' })
  @ApiBadRequestResponse({ description: 'REQUEST_ARGUMENT_NOT_VALID' })
  @ApiErrors({ 401: ['NOT_VERIFIED_EMAIL'], 403: ['ALREADY_REGISTER_EMAIL'] })
  @ApiUnauthorizedResponse({
    description: 'NOT_VERIFIED_EMAIL: no ticket, or not the current ticket of this e-mail (used, replaced, expired)',
  })
  @ApiForbiddenResponse({ description: 'ALREADY_REGISTER_EMAIL (told only to a holder of a valid ticket)' })
  async signUp(
    @Body() form: SignUpForm,
    @Headers('cookie') cookies: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { signupTicket, ...fields } = form;
    try {
      await this.signUps.signUp(fields, signupTicket ?? readCookie(cookies, SIGNUP_TICKET_COOKIE));
    } catch (error) {
      if (isAlreadyRegistered(error)) void reply.header('set-cookie', clearedSignupTicketCookie(this.secureCookies));
      throw error;
    }
    void reply.header('set-cookie', clearedSignupTicketCookie(this.secureCookies));
  }
}
