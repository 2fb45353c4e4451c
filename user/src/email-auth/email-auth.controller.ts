import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { EmailAuthForm, VerifyEmailQuery } from './email-auth.dto';
import { EmailAuthService } from './email-auth.service';
import { ApiTags } from '@nestjs/swagger';

@ApiTags('e-mail verification')
@Controller('users/email-auths')
export class EmailAuthController {
  constructor(private readonly emailAuths: EmailAuthService) {}

  /** Sends the verification link to the address. */
  @Post()
  @HttpCode(200)
  async request(@Body() form: EmailAuthForm): Promise<void> {
    await this.emailAuths.request(form.email);
  }

  /** The link in the e-mail: marks the address verified. */
  @Get('verify')
  async verify(@Query() query: VerifyEmailQuery): Promise<void> {
    await this.emailAuths.verify(query.email, query.code);
  }
}
