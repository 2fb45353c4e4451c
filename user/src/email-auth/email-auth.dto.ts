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
