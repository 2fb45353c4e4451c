import { ApiProperty } from '@nestjs/swagger';
import { IsObjectId } from '@runrun/common';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsString } from 'class-validator';
import { MAX_ORDER_LINES, OrderProductForm } from '../order/order.dto';

/** A cart line: the same shape and rules as an order line. */
export class CartItemForm extends OrderProductForm {}

export class DeleteCartItemsForm {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: '^[0-9a-f]{24}$' },
    minItems: 1,
    maxItems: MAX_ORDER_LINES,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_ORDER_LINES)
  @IsString({ each: true })
  @IsObjectId({ each: true })
  productIds!: string[];
}

export interface CartItem {
  brandId: number;
  brandName: string;
  freeDeliveryInfimum: number;
  deliveryFee: number;
  items: {
    productId: string;
    name: string;
    quantity: number;
    price: number;
    discount: number;
    discountedPrice: number;
    totalPrice: number;
  }[];
}

// The answer of GET /carts as documented; the fuzz test holds it to the real one.
class CartLineAnswer {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  productId!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer' })
  quantity!: number;
  @ApiProperty({ type: 'integer' })
  price!: number;
  @ApiProperty({ type: 'integer' })
  discount!: number;
  @ApiProperty({ type: 'integer' })
  discountedPrice!: number;
  @ApiProperty({ type: 'integer' })
  totalPrice!: number;
}

export class CartItemsAnswer {
  @ApiProperty({ type: 'integer' })
  brandId!: number;
  @ApiProperty()
  brandName!: string;
  @ApiProperty({ type: 'integer' })
  freeDeliveryInfimum!: number;
  @ApiProperty({ type: 'integer' })
  deliveryFee!: number;
  @ApiProperty({ type: [CartLineAnswer] })
  items!: CartLineAnswer[];
}
