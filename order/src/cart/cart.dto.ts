import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsString } from 'class-validator';
import { OrderProductForm } from '../order/order.dto';

/** A cart line: the same shape and rules as an order line. */
export class CartItemForm extends OrderProductForm {}

export class DeleteCartItemsForm {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
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
