import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ENCRYPTED_FIELD_MAX_BYTES, MaxUtf8Bytes, type UserRole } from '@runrun/common';
import { EMAIL, MESSAGES, PASSWORD, PASSWORD_MAX_LENGTH, PHONE, ZIP_CODE } from '../validation-rules';

/** Sign-up form; every field but the ticket is required (the original let nulls through). */
export class SignUpForm {
  // e-mail, phone, name and address are stored encrypted: bounded by what their columns hold
  @ApiProperty({
    example: 'shopper@example.com',
    maxLength: ENCRYPTED_FIELD_MAX_BYTES,
    pattern: EMAIL.source,
    format: 'email',
  })
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  @IsEmail({}, { message: MESSAGES.email }) // also what SMTP servers accept (no '..', a real TLD)
  @MaxLength(ENCRYPTED_FIELD_MAX_BYTES, { message: MESSAGES.emailLength })
  email!: string;

  @ApiProperty({
    example: 'Runrun-pass1!',
    description: MESSAGES.password,
    minLength: 8,
    maxLength: PASSWORD_MAX_LENGTH,
    pattern: PASSWORD.source,
  })
  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: MESSAGES.passwordLength })
  password!: string;

  @ApiProperty({ example: '010-1234-5678', pattern: PHONE.source })
  @IsString()
  @IsNotEmpty()
  @Matches(PHONE, { message: MESSAGES.phone })
  phone!: string;

  @ApiProperty({ example: '송송이', minLength: 2, maxLength: 30 })
  @IsString()
  @Length(2, 30, { message: MESSAGES.name })
  name!: string;

  @ApiProperty({
    example: '서울특별시 성북구 보문로 34로',
    minLength: 8,
    maxLength: 100,
    description: `at most ${ENCRYPTED_FIELD_MAX_BYTES} bytes in UTF-8 (53 Korean syllables)`,
  })
  @IsString()
  @Length(8, 100, { message: MESSAGES.address })
  @MaxUtf8Bytes(ENCRYPTED_FIELD_MAX_BYTES, { message: MESSAGES.address })
  address!: string;

  @ApiProperty({ example: '11234', pattern: ZIP_CODE.source })
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
