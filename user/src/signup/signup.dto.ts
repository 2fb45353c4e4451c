import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { UserRole } from '@runrun/common';
import { EMAIL, MESSAGES, PASSWORD, PHONE, ZIP_CODE } from '../validation-rules';

/** Sign-up form; every field but the ticket is required (the original let nulls through). */
export class SignUpForm {
  @ApiProperty({ example: 'shopper@example.com' })
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;

  @ApiProperty({ example: 'Runrun-pass1!', description: MESSAGES.password })
  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  password!: string;

  @ApiProperty({ example: '010-1234-5678' })
  @IsString()
  @IsNotEmpty()
  @Matches(PHONE, { message: MESSAGES.phone })
  phone!: string;

  @ApiProperty({ example: '송송이', minLength: 2, maxLength: 30 })
  @IsString()
  @Length(2, 30, { message: MESSAGES.name })
  name!: string;

  @ApiProperty({ example: '서울특별시 성북구 보문로 34로', minLength: 8, maxLength: 100 })
  @IsString()
  @Length(8, 100, { message: MESSAGES.address })
  address!: string;

  @ApiProperty({ example: '11234' })
  @IsString()
  @Matches(ZIP_CODE, { message: MESSAGES.zipCode })
  zipCode!: string;

  @ApiProperty({ enum: ['CUSTOMER', 'SELLER'] })
  @IsIn(['CUSTOMER', 'SELLER'], { message: MESSAGES.userType })
  userType!: UserRole;

  @ApiProperty({
    required: false,
    description:
      'the one-time ticket that opening the verification link answered; a browser may instead send ' +
      'the `signupTicket` cookie that the link set. Without a valid ticket for this e-mail the ' +
      'sign-up is refused (401 NOT_VERIFIED_EMAIL).',
    example: 'o3Yk1hX2m8rQvKc6Lz0Tn5Wq9bE4sJpUa7dFgHiRtMw',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  signupTicket?: string;
}
