import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { UserId } from '@runrun/common';
import { IsNotEmpty, IsNumberString, IsString, MaxLength } from 'class-validator';
import { PaymentService } from './payment.service';

export class ConfirmPaymentForm {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  orderId!: string;

  @ApiProperty({ example: '58500', description: "must equal the order's amount" })
  @IsNumberString({ no_symbols: true }, { message: 'amount must be a whole number' })
  amount!: string;

  @ApiProperty({ description: "the PG's payment key" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  paymentKey!: string;
}

@ApiTags('payments')
@Controller('payments')
export class PaymentController {
  constructor(private readonly payments: PaymentService) {}

  @Post()
  @HttpCode(200)
  async confirm(@UserId() userId: number, @Body() form: ConfirmPaymentForm): Promise<void> {
    await this.payments.confirm(userId, form.orderId, Number(form.amount), form.paymentKey);
  }
}
