import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UserId } from '@runrun/common';
import { CartItem, CartItemForm, DeleteCartItemsForm } from './cart.dto';
import { CartService } from './cart.service';

@ApiTags('cart')
@Controller('carts')
export class CartController {
  constructor(private readonly carts: CartService) {}

  @Post()
  @HttpCode(200)
  async add(@UserId() userId: number, @Body() form: CartItemForm): Promise<void> {
    await this.carts.add(userId, form.id, form.quantity);
  }

  @Put()
  async set(@UserId() userId: number, @Body() form: CartItemForm): Promise<void> {
    await this.carts.set(userId, form.id, form.quantity);
  }

  @Delete()
  async remove(@UserId() userId: number, @Body() form: DeleteCartItemsForm): Promise<void> {
    await this.carts.remove(userId, form.productIds);
  }

  @Get()
  list(@UserId() userId: number): Promise<CartItem[]> {
    return this.carts.list(userId);
  }
}
