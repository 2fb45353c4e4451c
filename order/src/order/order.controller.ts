import { applyDecorators, Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiIdParam, idPipe, UserId } from '@runrun/common';
import { ORDER_REFUSAL_CODES, ORDER_REFUSALS } from '../errors';
import { Idempotency } from '../idempotency/idempotency';
import { CreateOrderBody, createOrderFormPipe } from './create-order.schema';
import { CreateOrderForm, OrderItem, OrderPageQuery, OrderReceived, OrderSliceAnswer, Slice } from './order.dto';
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
  @ApiOperation({ summary: 'Order: reserves the units, then awaits payment until its deadline' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', maxLength: 200 },
    description:
      'a retry with the same key and body returns the first answer (kept 24 h); the same key with another ' +
      'body is 422 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_KEY_IN_PROGRESS',
  })
  @ApiBody({ type: CreateOrderForm })
  @ApiOkResponse({ type: OrderReceived, description: 'the order awaits payment until its payment deadline' })
  @applyDecorators(...ORDER_REFUSALS.map((r) => ApiResponse(r)))
  @ApiErrors(ORDER_REFUSAL_CODES)
  receive(
    @UserId() userId: number,
    // checked by the schema compiled at start, not the global ValidationPipe (create-order.schema.ts)
    @Body(createOrderFormPipe) form: CreateOrderBody,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ orderId: string }> {
    return this.idempotency.run(userId, idempotencyKey, form, {
      place: (orderId) => this.orders.receive(userId, form, orderId),
      placed: (orderId) => this.orders.placed(userId, orderId),
    });
  }

  @Get('me')
  @ApiOperation({ summary: "The shopper's orders, newest first (a Spring Data Slice)" })
  @ApiOkResponse({ type: OrderSliceAnswer })
  mine(@UserId() userId: number, @Query() query: OrderPageQuery): Promise<Slice<OrderItem>> {
    return this.orders.mine(userId, query.page, query.size);
  }

  @Post(':orderId/cancel')
  @HttpCode(200)
  @ApiIdParam('orderId')
  @ApiOperation({ summary: 'Cancel an order that awaits payment or is placed' })
  @ApiResponse({
    status: 200,
    description:
      'cancelled: a placed order is refunded; an order awaiting payment gives its units back at once and can ' +
      'no longer be paid',
  })
  @ApiResponse({ status: 400, description: 'NOT_USERS_ORDER' })
  @ApiResponse({ status: 404, description: 'ORDER_IN_PREPARATION_NOT_FOUND: neither placed nor awaiting payment' })
  @ApiErrors({ 400: ['NOT_USERS_ORDER'], 404: ['ORDER_IN_PREPARATION_NOT_FOUND'] })
  async cancel(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.cancel(userId, id);
  }

  @Post(':orderId/return')
  @HttpCode(200)
  @ApiIdParam('orderId')
  @ApiOperation({ summary: 'Return a delivered order (within a day of delivery)' })
  @ApiOkResponse({ description: 'being returned (empty body); the refund follows when the return completes' })
  @ApiErrors({ 400: ['NOT_USERS_ORDER'], 404: ['ORDER_RETURN_NOT_ALLOWED'] })
  async return(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.return(userId, id);
  }
}
