import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CONFIG, UserId } from '@runrun/common';
import { IsNotEmpty, IsNumberString, IsString, MaxLength } from 'class-validator';
import type { PaymentConfig } from '../config';
import { PaymentService } from '../payment/payment.service';
import { checkoutPage, failPage, successPage } from './pages';

export class SuccessQuery {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  paymentKey!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  orderId!: string;

  @ApiProperty({ pattern: '^[0-9]{1,10}$' })
  @IsNumberString({ no_symbols: true })
  @MaxLength(10)
  amount!: string;
}

export class FailQuery {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MaxLength(200)
  code!: string;

  @ApiProperty({ maxLength: 500 })
  @IsString()
  @MaxLength(500)
  message!: string;
}

const HTML = (description: string) =>
  ApiOkResponse({ description, content: { 'text/html': { schema: { type: 'string' } } } });

/**
 * Pages the shopper's browser opens by navigation. The gateway accepts the HttpOnly access cookie
 * here (set at login), so they work without an Authorization header (D5).
 */
@ApiTags('checkout')
@Controller('checkout')
export class CheckoutController {
  constructor(
    private readonly payments: PaymentService,
    @Inject(CONFIG) private readonly config: PaymentConfig,
  ) {}

  @Get('success')
  @ApiOperation({ summary: "The PG's return after a payment was approved: confirms it from the page" })
  @HTML('the page that confirms the payment (POST /payments) and shows the result')
  @Header('content-type', 'text/html; charset=utf-8')
  success(@Query() query: SuccessQuery): string {
    return successPage(query);
  }

  @Get('fail')
  @ApiOperation({ summary: "The PG's return after a payment failed" })
  @HTML('the page that shows why')
  @Header('content-type', 'text/html; charset=utf-8')
  fail(@Query() query: FailQuery): string {
    return failPage(query);
  }

  @Get(':orderId')
  @ApiParam({ name: 'orderId', schema: { type: 'string', maxLength: 100 }, description: 'the business order id' })
  @ApiOperation({ summary: 'The checkout page of an order awaiting payment (its shopper only)' })
  @HTML('the page with the amount and the button that opens the PG')
  @ApiErrors({
    400: ['CANCELLED_ORDER', 'GRPC_COMMUNICATION_ERROR'],
    403: ['NOT_USERS_PAYMENT'],
    404: ['GRPC_COMMUNICATION_ERROR'],
    503: ['GRPC_COMMUNICATION_ERROR'],
  })
  @Header('content-type', 'text/html; charset=utf-8')
  async checkout(@UserId() userId: number, @Param('orderId') orderId: string): Promise<string> {
    const view = await this.payments.checkout(userId, orderId);
    return checkoutPage({ ...view, pg: this.config.pg.kind, tossClientKey: this.config.pg.tossClientKey });
  }
}
