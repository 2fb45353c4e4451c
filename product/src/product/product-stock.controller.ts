import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AppException } from '@runrun/common';
import { isValidObjectId } from 'mongoose';
import { PRODUCT_MODEL, ProductModel } from './product.schema';
import { ApiTags } from '@nestjs/swagger';

@ApiTags('products')
@Controller('products')
export class ProductStockController {
  constructor(@Inject(PRODUCT_MODEL) private readonly products: ProductModel) {}

  /** Live stock of one product. */
  @Get(':productId/stock')
  async stock(@Param('productId') productId: string): Promise<{ id: string; name: string; quantity: number }> {
    const product = isValidObjectId(productId)
      ? await this.products.findOne({ _id: productId, isDeleted: false }).exec()
      : null;
    if (!product) throw new AppException('PRODUCT_NOT_FOUND', 404, 'Product not found');
    return { id: product.id as string, name: product.name, quantity: product.quantity };
  }
}
