import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { EMAIL, MESSAGES } from '../validation-rules';

export class EmailAuthForm {
  @ApiProperty({ example: 'shopper@example.com' })
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;
}

export class VerifyEmailQuery {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  email!: string;

  @ApiProperty({ description: 'the code from the e-mail' })
  @IsString()
  @IsNotEmpty()
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
