import { ApiProperty } from '@nestjs/swagger';
import { OrderStatus } from './order.entity';
import { ENCRYPTED_FIELD_MAX_BYTES, IsObjectId, MaxUtf8Bytes, PageQuery } from '@runrun/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Lines per order (and ids per cart request): bounds the work one request can ask for. */
export const MAX_ORDER_LINES = 50;

// the rules of an order's body, shared by the decorators below and the compiled schema of POST /orders
export const MAX_LINE_QUANTITY = 1000;
export const RECEIVER_NAME_LENGTH = [2, 30] as const;
export const RECEIVER_ADDRESS_LENGTH = [8, 100] as const;
export const ZIP_CODE = /^[0-9]{5}$/;
export const PHONE = /^0\d{1,2}-\d{3,4}-\d{4}$/;

export class OrderProductForm {
  @ApiProperty({ description: 'product id', pattern: '^[0-9a-f]{24}$' })
  @IsString()
  @IsObjectId()
  id!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity!: number;
}

export class ReceiverForm {
  @ApiProperty()
  @IsBoolean()
  isDefault!: boolean;

  @ApiProperty({ minLength: RECEIVER_NAME_LENGTH[0], maxLength: RECEIVER_NAME_LENGTH[1] })
  @IsString()
  @Length(...RECEIVER_NAME_LENGTH)
  name!: string;

  // saved to the shopper's encrypted addresses: bounded by what that column holds
  @ApiProperty({
    minLength: RECEIVER_ADDRESS_LENGTH[0],
    maxLength: RECEIVER_ADDRESS_LENGTH[1],
    description: `at most ${ENCRYPTED_FIELD_MAX_BYTES} bytes in UTF-8 (53 Korean syllables)`,
  })
  @IsString()
  @Length(...RECEIVER_ADDRESS_LENGTH)
  @MaxUtf8Bytes(ENCRYPTED_FIELD_MAX_BYTES)
  address!: string;

  @ApiProperty({ example: '11234' })
  @IsString()
  @Matches(ZIP_CODE, { message: 'zipCode must be 5 digits' })
  zipCode!: string;

  @ApiProperty({ example: '010-1234-5678' })
  @IsString()
  @Matches(PHONE, { message: 'phone must look like 010-1234-5678' })
  phone!: string;
}

export class CreateOrderForm {
  @ApiProperty({ type: [OrderProductForm], minItems: 1, maxItems: MAX_ORDER_LINES })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderProductForm)
  products!: OrderProductForm[];

  @ApiProperty({ description: 'also save the receiver as an address of the shopper' })
  @IsBoolean()
  shouldSaveNewAddress!: boolean;

  @ApiProperty({ description: 'remove the ordered quantities from the cart' })
  @IsBoolean()
  shouldDeleteCartItem!: boolean;

  @ApiProperty({ type: ReceiverForm })
  @IsObject({ message: 'receiver is required' })
  @ValidateNested()
  @Type(() => ReceiverForm)
  receiver!: ReceiverForm;
}

export class OrderPageQuery extends PageQuery(20) {}

export interface OrderItem {
  id: number;
  orderNumber: string;
  orderingAt: string;
  status: string;
  brands: {
    brandId: number;
    deliveryFee: number;
    products: {
      productId: string;
      name: string;
      thumbnail: string;
      quantity: number;
      amount: number;
      brandId: number;
      brandName: string;
      deliveryFee: null;
    }[];
  }[];
}

/** Spring Data's `Slice` JSON, as the original's GET /orders/me. */
export interface Slice<T> {
  content: T[];
  pageable: {
    pageNumber: number;
    pageSize: number;
    sort: { empty: boolean; sorted: boolean; unsorted: boolean };
    offset: number;
    paged: boolean;
    unpaged: boolean;
  };
  size: number;
  number: number;
  sort: { empty: boolean; sorted: boolean; unsorted: boolean };
  first: boolean;
  last: boolean;
  numberOfElements: number;
  empty: boolean;
}

// The answers as documented (GET /orders/me's Slice, POST /orders); the fuzz test holds them to the real ones.
class SortAnswer {
  @ApiProperty()
  empty!: boolean;
  @ApiProperty()
  sorted!: boolean;
  @ApiProperty()
  unsorted!: boolean;
}

class PageableAnswer {
  @ApiProperty({ type: 'integer' })
  pageNumber!: number;
  @ApiProperty({ type: 'integer' })
  pageSize!: number;
  @ApiProperty({ type: SortAnswer })
  sort!: SortAnswer;
  @ApiProperty({ type: 'integer' })
  offset!: number;
  @ApiProperty()
  paged!: boolean;
  @ApiProperty()
  unpaged!: boolean;
}

class OrderLineAnswer {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  productId!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  thumbnail!: string;
  @ApiProperty({ type: 'integer' })
  quantity!: number;
  @ApiProperty({ type: 'integer', description: 'discounted price × quantity' })
  amount!: number;
  @ApiProperty({ type: 'integer' })
  brandId!: number;
  @ApiProperty()
  brandName!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'always null (the fee is per brand)' })
  deliveryFee!: null;
}

class OrderBrandAnswer {
  @ApiProperty({ type: 'integer' })
  brandId!: number;
  @ApiProperty({ type: 'integer' })
  deliveryFee!: number;
  @ApiProperty({ type: [OrderLineAnswer] })
  products!: OrderLineAnswer[];
}

class OrderItemAnswer {
  @ApiProperty({ type: 'integer', description: 'the id for /orders/{orderId}/cancel and /return' })
  id!: number;
  @ApiProperty({ description: 'the business order id, for checkout and payment' })
  orderNumber!: string;
  @ApiProperty({ format: 'date-time' })
  orderingAt!: string;
  @ApiProperty({ enum: OrderStatus })
  status!: string;
  @ApiProperty({ type: [OrderBrandAnswer] })
  brands!: OrderBrandAnswer[];
}

export class OrderSliceAnswer {
  @ApiProperty({ type: [OrderItemAnswer] })
  content!: OrderItemAnswer[];
  @ApiProperty({ type: PageableAnswer })
  pageable!: PageableAnswer;
  @ApiProperty({ type: 'integer' })
  size!: number;
  @ApiProperty({ type: 'integer' })
  number!: number;
  @ApiProperty({ type: SortAnswer })
  sort!: SortAnswer;
  @ApiProperty()
  first!: boolean;
  @ApiProperty()
  last!: boolean;
  @ApiProperty({ type: 'integer' })
  numberOfElements!: number;
  @ApiProperty()
  empty!: boolean;
}

export class OrderReceived {
  @ApiProperty({ description: 'the business order id: open GET /checkout/{orderId} to pay' })
  orderId!: string;
}
