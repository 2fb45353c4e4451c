import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENCRYPTED_FIELD_MAX_BYTES } from '@runrun/common';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EMAIL, MESSAGES, PASSWORD, PASSWORD_MAX_LENGTH } from '../validation-rules';

export class LoginForm {
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

  @ApiProperty({ example: 'Runrun-pass1!', maxLength: PASSWORD_MAX_LENGTH, pattern: PASSWORD.source })
  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: MESSAGES.passwordLength })
  password!: string;
}

export class LogoutQuery {
  @ApiPropertyOptional({ enum: ['SINGLE', 'ALL'], default: 'SINGLE' })
  @IsOptional()
  @IsIn(['SINGLE', 'ALL'], { message: 'type must be SINGLE or ALL' })
  type: 'SINGLE' | 'ALL' = 'SINGLE';
}
