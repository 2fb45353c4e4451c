import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UserId } from '@runrun/common';
import { IsNotEmpty, IsNumberString, IsString, MaxLength } from 'class-validator';
import { countPaymentOutcome } from './payment-outcomes';
import { PaymentService } from './payment.service';

export class ConfirmPaymentForm {
  @ApiProperty({ description: 'the business order id (orderId of POST /orders)', minLength: 1, maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  orderId!: string;

  @ApiProperty({ example: '58500', description: "must equal the order's amount", pattern: '^[0-9]{1,10}$' })
  @IsNumberString({ no_symbols: true }, { message: 'amount must be a whole number' })
  @MaxLength(10)
  amount!: string;

  @ApiProperty({ description: "the PG's payment key", minLength: 1, maxLength: 200 })
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
  @ApiOperation({ summary: "Confirm a payment with the PG's payment key (from the checkout page)" })
  @ApiOkResponse({ description: 'paid (empty body): the order is placed' })
  @ApiErrors({
    400: [
      'NOT_FOUND_PAYMENT',
      'PAYMENT_AMOUNT_MISMATCH',
      'INVALID_CONCURRENT_ACCESS',
      'ALREADY_PAID_ORDER',
      'CANCELLED_ORDER',
      'BLOCKED_ORDER',
      'GRPC_COMMUNICATION_ERROR',
    ],
    403: ['NOT_USERS_PAYMENT'],
    404: ['GRPC_COMMUNICATION_ERROR'],
    409: ['STOCK_SHORTAGE'],
    412: ['PAYMENT_FAILED'],
    503: ['GRPC_COMMUNICATION_ERROR'],
  })
  async confirm(@UserId() userId: number, @Body() form: ConfirmPaymentForm): Promise<void> {
    await countPaymentOutcome(this.payments.confirm(userId, form.orderId, Number(form.amount), form.paymentKey));
  }
}
