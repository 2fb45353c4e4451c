import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { EMAIL, MESSAGES, PASSWORD } from '../validation-rules';

export class LoginForm {
  @ApiProperty({ example: 'shopper@example.com' })
  @IsString()
  @IsNotEmpty()
  @Matches(EMAIL, { message: MESSAGES.email })
  email!: string;

  @ApiProperty({ example: 'Runrun-pass1!' })
  @IsString()
  @IsNotEmpty()
  @Matches(PASSWORD, { message: MESSAGES.password })
  password!: string;
}

export class LogoutQuery {
  @ApiPropertyOptional({ enum: ['SINGLE', 'ALL'], default: 'SINGLE' })
  @IsOptional()
  @IsIn(['SINGLE', 'ALL'], { message: 'type must be SINGLE or ALL' })
  type: 'SINGLE' | 'ALL' = 'SINGLE';
}
