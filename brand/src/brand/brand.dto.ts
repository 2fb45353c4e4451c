import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

/** The JSON `form` part of PUT /brands/{id}; every field but the introduction is required. */
export class UpdateBrandForm {
  @ApiProperty({ minLength: 1, maxLength: 50 })
  @IsString()
  @IsNotEmpty()
  @Length(1, 50)
  name!: string;

  @ApiProperty({ minLength: 1, maxLength: 50, description: 'registered company name' })
  @IsString()
  @IsNotEmpty()
  @Length(1, 50)
  legalName!: string;

  @ApiProperty({ minimum: 0, maximum: 100_000 })
  @IsInt()
  @Min(0)
  @Max(100_000)
  deliveryFee!: number;

  @ApiProperty({ minimum: 0, maximum: 10_000_000, description: 'order subtotal from which delivery is free' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  freeDeliveryInfimum!: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  introduction?: string;
}

/** The JSON `form` part of POST /brands. */
export class CreateBrandForm extends UpdateBrandForm {
  @ApiProperty({ example: '123-45-67890', description: 'business registration number' })
  @IsString()
  @Matches(/^\d{3}-\d{2}-\d{5}$/, { message: 'registrationNumber must look like 123-45-67890' })
  registrationNumber!: string;
}

export class BrandResponse {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  legalName!: string;
  @ApiProperty({ type: String, nullable: true, description: 'URL of the image' })
  thumbnail!: string | null;
  @ApiProperty({ type: String, nullable: true })
  introduction!: string | null;
  @ApiProperty({ type: String, nullable: true })
  registrationNumber!: string | null;
  @ApiProperty({ type: 'integer' })
  deliveryFee!: number;
  @ApiProperty({ type: 'integer' })
  freeDeliveryInfimum!: number;
}

export class BrandCreated {
  @ApiProperty({ type: 'integer' })
  id!: number;
}
