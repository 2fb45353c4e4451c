import { ApiProperty } from '@nestjs/swagger';
import { ENCRYPTED_FIELD_MAX_BYTES } from '@runrun/common';
import { IsEmail, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { EMAIL, MESSAGES } from '../validation-rules';

export class EmailAuthForm {
  // no longer than a sign-up accepts (the e-mail is stored encrypted)
  @ApiProperty({
    example: 'shopper@example.com',
    pattern: EMAIL.source,
    format: 'email',
    maxLength: ENCRYPTED_FIELD_MAX_BYTES,
  })
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  @IsEmail({}, { message: MESSAGES.email }) // also what SMTP servers accept (no '..', a real TLD)
  @MaxLength(ENCRYPTED_FIELD_MAX_BYTES, { message: MESSAGES.emailLength })
  email!: string;
}

export class VerifyEmailQuery {
  @ApiProperty({ minLength: 1, maxLength: ENCRYPTED_FIELD_MAX_BYTES })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ENCRYPTED_FIELD_MAX_BYTES)
  email!: string;

  @ApiProperty({ description: 'the code from the e-mail', minLength: 1, maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  code!: string;
}

/** What opening the link answers (an API client keeps the ticket; a browser gets it as a cookie too). */
export class SignUpTicketAnswer {
  @ApiProperty({
    description:
      'one-time sign-up ticket for this e-mail: send it as `signupTicket` to POST /users/signup ' +
      '(browsers also get it as the HttpOnly cookie `signupTicket`, Path=/users/signup). ' +
      'Opening the link again hands out a new ticket and the earlier one stops working.',
    example: 'o3Yk1hX2m8rQvKc6Lz0Tn5Wq9bE4sJpUa7dFgHiRtMw',
  })
  signupTicket!: string;

  @ApiProperty({ description: 'how many seconds the ticket stays valid', example: 108000 })
  expiresInSeconds!: number;
}
