import { IsIn, IsNotEmpty, IsString, Length, Matches } from 'class-validator';
import type { UserRole } from '@runrun/common';
import { EMAIL, MESSAGES, PASSWORD, PHONE, ZIP_CODE } from '../validation-rules';

/** Sign-up form; every field is required (the original let nulls through). */
export class SignUpForm {
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;

  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  password!: string;

  @IsString()
  @IsNotEmpty()
  @Matches(PHONE, { message: MESSAGES.phone })
  phone!: string;

  @IsString()
  @Length(2, 30, { message: MESSAGES.name })
  name!: string;

  @IsString()
  @Length(8, 100, { message: MESSAGES.address })
  address!: string;

  @IsString()
  @Matches(ZIP_CODE, { message: MESSAGES.zipCode })
  zipCode!: string;

  @IsIn(['CUSTOMER', 'SELLER'], { message: MESSAGES.userType })
  userType!: UserRole;
}
