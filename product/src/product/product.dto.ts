import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { IsObjectId, MAX_ID, PageQuery, parseLocalDateTime } from '@runrun/common';

/** An ISO local date-time (read in the business time zone) that lies in the future. */
function IsFutureLocalDateTime(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFutureLocalDateTime',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a future date-time like 2030-09-01T10:00:00`, ...options },
      validator: {
        validate: (value: unknown) => {
          const date = typeof value === 'string' ? parseLocalDateTime(value) : undefined;
          return date !== undefined && date.getTime() > Date.now();
        },
      },
    });
}

/** The JSON `form` part of PUT /products/{id}; numbers are required (the original let nulls through). */
export class UpdateProductForm {
  @ApiProperty({ example: '66ba11c4ab906f11f7ff0002', pattern: '^[0-9a-f]{24}$' })
  @IsString()
  @IsObjectId()
  categoryId!: string;

  @ApiProperty({ minLength: 1, maxLength: 50 })
  @IsString()
  @Length(1, 50)
  name!: string;

  @ApiProperty({ minLength: 1, maxLength: 50 })
  @IsString()
  @Length(1, 50)
  manufacturer!: string;

  @ApiProperty({ minLength: 1, maxLength: 20 })
  @IsString()
  @Length(1, 20)
  countryOfManufacture!: string;

  @ApiProperty({ minLength: 8, maxLength: 50 })
  @IsString()
  @Length(8, 50)
  contact!: string;

  @ApiProperty({ minimum: 0, maximum: 10_000_000 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  price!: number;

  @ApiProperty({ minimum: 0, maximum: 1000, description: 'stock' })
  @IsInt()
  @Min(0)
  @Max(1000)
  quantity!: number;

  @ApiProperty({ minimum: 0, maximum: 100, description: 'percent' })
  @IsInt()
  @Min(0)
  @Max(100)
  discount!: number;

  @ApiProperty({ minimum: 0, maximum: 100_000 })
  @IsInt()
  @Min(0)
  @Max(100_000)
  deliveryFee!: number;

  @ApiPropertyOptional({ example: '2030-09-01T10:00:00', description: 'flash-sale opening time, business time zone' })
  @IsOptional()
  @IsFutureLocalDateTime()
  orderingOpensAt?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 1000,
    description:
      'units one shopper may hold at once (unpaid and paid orders of this product); absent or null = unlimited. ' +
      'On update, absent or null removes the limit.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  purchaseLimit?: number | null;
}

/** The JSON `form` part of POST /products. */
export class CreateProductForm extends UpdateProductForm {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  brandId!: number;
}

export class ProductPageQuery extends PageQuery(26) {}

/** A product in the list. `price` is the list price (the original put the discounted one there). */
export interface ProductItem {
  id: string;
  thumbnailPath: string;
  price: number;
  discountedPrice: number;
  discount: number;
  name: string;
  isFreeDelivery: boolean;
  countOfLikes: number;
  isUserLike: boolean;
  brandName: string;
  brandId: number;
  isOpen: boolean;
  /** null = unlimited */
  purchaseLimit: number | null;
}

export interface ProductResponse {
  id: string;
  thumbnailPath: string;
  descriptionImagePath: string;
  discountedPrice: number;
  price: number;
  discount: number;
  deliveryFee: number;
  name: string;
  isFreeDelivery: boolean;
  isUserLike: boolean;
  info: { manufacturer: string; countryOfManufacture: string; contact: string };
  brand: {
    brandId: number;
    name: string;
    legalName: string;
    thumbnail: string;
    introduction: string;
    registrationNumber: string;
    freeDeliveryInfimum: number;
  };
  categories: string[];
  isOpen: boolean;
  orderingOpensAt: string;
  /** null = unlimited */
  purchaseLimit: number | null;
}
