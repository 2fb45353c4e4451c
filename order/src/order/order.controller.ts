import { applyDecorators, Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { idPipe, UserId } from '@runrun/common';
import { ORDER_REFUSALS } from '../errors';
import { Idempotency } from '../idempotency/idempotency';
import { CreateOrderForm, OrderItem, OrderPageQuery, Slice } from './order.dto';
import { OrderService } from './order.service';

const orderIdPipe = idPipe('orderId');

@ApiTags('orders')
@Controller('orders')
export class OrderController {
  constructor(
    private readonly orders: OrderService,
    private readonly idempotency: Idempotency,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'a retry with the same key and body returns the first answer (kept 24 h); the same key with another ' +
      'body is 422 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_KEY_IN_PROGRESS',
  })
  @ApiResponse({ status: 200, description: '{ orderId }: the order awaits payment until its payment deadline' })
  @applyDecorators(...ORDER_REFUSALS.map((r) => ApiResponse(r)))
  receive(
    @UserId() userId: number,
    @Body() form: CreateOrderForm,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ orderId: string }> {
    return this.idempotency.run(userId, idempotencyKey, form, () => this.orders.receive(userId, form));
  }

  @Get('me')
  mine(@UserId() userId: number, @Query() query: OrderPageQuery): Promise<Slice<OrderItem>> {
    return this.orders.mine(userId, query.page, query.size);
  }

  @Post(':orderId/cancel')
  @HttpCode(200)
  @ApiResponse({
    status: 200,
    description:
      'cancelled: a placed order is refunded; an order awaiting payment gives its units back at once and can ' +
      'no longer be paid',
  })
  @ApiResponse({ status: 400, description: 'NOT_USERS_ORDER' })
  @ApiResponse({ status: 404, description: 'ORDER_IN_PREPARATION_NOT_FOUND: neither placed nor awaiting payment' })
  async cancel(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.cancel(userId, id);
  }

  @Post(':orderId/return')
  @HttpCode(200)
  async return(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.return(userId, id);
  }
}
