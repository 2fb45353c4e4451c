import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { AppException, UserId } from '@runrun/common';
import { Idempotency } from '../idempotency/idempotency';
import { CreateOrderForm, OrderItem, PageQuery, Slice } from './order.dto';
import { OrderService } from './order.service';

const orderIdPipe = new ParseIntPipe({
  exceptionFactory: () => new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { orderId: 'must be a number' }),
});

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
    description: 'a retry with the same key returns the first answer',
  })
  receive(
    @UserId() userId: number,
    @Body() form: CreateOrderForm,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ orderId: string }> {
    return this.idempotency.run(userId, idempotencyKey, () => this.orders.receive(userId, form));
  }

  @Get('me')
  mine(@UserId() userId: number, @Query() query: PageQuery): Promise<Slice<OrderItem>> {
    return this.orders.mine(userId, query.page, query.size);
  }

  @Post(':orderId/cancel')
  @HttpCode(200)
  async cancel(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.cancel(userId, id);
  }

  @Post(':orderId/return')
  @HttpCode(200)
  async return(@UserId() userId: number, @Param('orderId', orderIdPipe) id: number): Promise<void> {
    await this.orders.return(userId, id);
  }
}
