import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CONFIG, UserId } from '@runrun/common';
import { IsNotEmpty, IsNumberString, IsString } from 'class-validator';
import type { PaymentConfig } from '../config';
import { PaymentService } from '../payment/payment.service';
import { checkoutPage, failPage, successPage } from './pages';

export class SuccessQuery {
  @IsString()
  @IsNotEmpty()
  paymentKey!: string;

  @IsString()
  @IsNotEmpty()
  orderId!: string;

  @IsNumberString({ no_symbols: true })
  amount!: string;
}

export class FailQuery {
  @IsString()
  code!: string;

  @IsString()
  message!: string;
}

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
  @Header('content-type', 'text/html; charset=utf-8')
  success(@Query() query: SuccessQuery): string {
    return successPage(query);
  }

  @Get('fail')
  @Header('content-type', 'text/html; charset=utf-8')
  fail(@Query() query: FailQuery): string {
    return failPage(query);
  }

  @Get(':orderId')
  @Header('content-type', 'text/html; charset=utf-8')
  async checkout(@UserId() userId: number, @Param('orderId') orderId: string): Promise<string> {
    const view = await this.payments.checkout(userId, orderId);
    return checkoutPage({ ...view, pg: this.config.pg.kind, tossClientKey: this.config.pg.tossClientKey });
  }
}
