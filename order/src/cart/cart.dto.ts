import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

export class CartItemForm {
  @ApiProperty({ description: 'product id' })
  @IsString()
  @IsNotEmpty()
  id!: string;

  @ApiProperty({ minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;
}

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
