import { IsIn, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { EMAIL, MESSAGES, PASSWORD } from '../validation-rules';

export class LoginForm {
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;

  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  password!: string;
}

export class LogoutQuery {
  @IsOptional()
  @IsIn(['SINGLE', 'ALL'], { message: 'type must be SINGLE or ALL' })
  type: 'SINGLE' | 'ALL' = 'SINGLE';
}
