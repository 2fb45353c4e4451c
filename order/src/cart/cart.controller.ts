import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UserId } from '@runrun/common';
import { CartItem, CartItemForm, CartItemsAnswer, DeleteCartItemsForm } from './cart.dto';

// products are read from the product service: an unknown one, or the service away
const PRODUCT_LOOKUP = {
  400: ['GRPC_COMMUNICATION_ERROR'],
  404: ['GRPC_COMMUNICATION_ERROR'],
  503: ['GRPC_COMMUNICATION_ERROR'],
};
import { CartService } from './cart.service';

@ApiTags('cart')
@Controller('carts')
export class CartController {
  constructor(private readonly carts: CartService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add units of a product to the cart' })
  @ApiOkResponse({ description: 'added (empty body)' })
  @ApiErrors(PRODUCT_LOOKUP)
  async add(@UserId() userId: number, @Body() form: CartItemForm): Promise<void> {
    await this.carts.add(userId, form.id, form.quantity);
  }

  @Put()
  @ApiOperation({ summary: 'Set the quantity of a product in the cart' })
  @ApiOkResponse({ description: 'set (empty body)' })
  @ApiErrors({ 400: ['ITEM_DOES_NOT_EXIST'] })
  async set(@UserId() userId: number, @Body() form: CartItemForm): Promise<void> {
    await this.carts.set(userId, form.id, form.quantity);
  }

  @Delete()
  @ApiOperation({ summary: 'Remove products from the cart (all or none)' })
  @ApiOkResponse({ description: 'removed (empty body)' })
  @ApiErrors({ 400: ['ITEM_DOES_NOT_EXIST'] })
  async remove(@UserId() userId: number, @Body() form: DeleteCartItemsForm): Promise<void> {
    await this.carts.remove(userId, form.productIds);
  }

  @Get()
  @ApiOperation({ summary: 'The cart, grouped by brand' })
  @ApiOkResponse({ type: [CartItemsAnswer] })
  @ApiErrors(PRODUCT_LOOKUP)
  list(@UserId() userId: number): Promise<CartItem[]> {
    return this.carts.list(userId);
  }
}
