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

  @ApiPropertyOptional({
    example: '2030-09-01T10:00:00',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?$',
    description: 'flash-sale opening time, in the future; without an offset it is read in the business time zone',
  })
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
export class ProductItem {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  id!: string;
  @ApiProperty({ description: 'URL of the image' })
  thumbnailPath!: string;
  @ApiProperty({ type: 'integer' })
  price!: number;
  @ApiProperty({ type: 'integer' })
  discountedPrice!: number;
  @ApiProperty({ type: 'integer', description: 'percent' })
  discount!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  isFreeDelivery!: boolean;
  @ApiProperty({ type: 'integer' })
  countOfLikes!: number;
  @ApiProperty()
  isUserLike!: boolean;
  @ApiProperty()
  brandName!: string;
  @ApiProperty({ type: 'integer' })
  brandId!: number;
  @ApiProperty()
  isOpen!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null = unlimited' })
  purchaseLimit!: number | null;
}

export class ProductInfo {
  @ApiProperty()
  manufacturer!: string;
  @ApiProperty()
  countryOfManufacture!: string;
  @ApiProperty()
  contact!: string;
}

export class ProductBrand {
  @ApiProperty({ type: 'integer' })
  brandId!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  legalName!: string;
  @ApiProperty({ description: 'URL of the image, empty when none' })
  thumbnail!: string;
  @ApiProperty()
  introduction!: string;
  @ApiProperty()
  registrationNumber!: string;
  @ApiProperty({ type: 'integer' })
  freeDeliveryInfimum!: number;
}

export class ProductResponse {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  id!: string;
  @ApiProperty()
  thumbnailPath!: string;
  @ApiProperty()
  descriptionImagePath!: string;
  @ApiProperty({ type: 'integer' })
  discountedPrice!: number;
  @ApiProperty({ type: 'integer' })
  price!: number;
  @ApiProperty({ type: 'integer' })
  discount!: number;
  @ApiProperty({ type: 'integer' })
  deliveryFee!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  isFreeDelivery!: boolean;
  @ApiProperty()
  isUserLike!: boolean;
  @ApiProperty({ type: ProductInfo })
  info!: ProductInfo;
  @ApiProperty({ type: ProductBrand })
  brand!: ProductBrand;
  @ApiProperty({ type: [String], description: 'the category and its ancestors' })
  categories!: string[];
  @ApiProperty()
  isOpen!: boolean;
  @ApiProperty({ example: '2030-09-01T10:00:00', description: 'business time zone' })
  orderingOpensAt!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null = unlimited' })
  purchaseLimit!: number | null;
}

export class ProductCreated {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  id!: string;
}

export class ProductStock {
  @ApiProperty({ pattern: '^[0-9a-f]{24}$' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer' })
  quantity!: number;
}
