import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { SignUpForm } from './signup.dto';
import { SignUpService } from './signup.service';
import { ApiTags } from '@nestjs/swagger';

@ApiTags('sign-up')
@Controller('users/signup')
export class SignUpController {
  constructor(private readonly signUps: SignUpService) {}

  @Post()
  @HttpCode(200)
  async signUp(@Body() form: SignUpForm): Promise<void> {
    await this.signUps.signUp(form);
  }
}
