import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { EMAIL, MESSAGES } from '../validation-rules';

export class EmailAuthForm {
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;
}

export class VerifyEmailQuery {
  @IsString()
  @IsNotEmpty()
  email!: string;

  @IsString()
  @IsNotEmpty()
  code!: string;
}
