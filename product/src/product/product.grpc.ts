import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  CONFIG,
  DependencyRegistry,
  GrpcError,
  GrpcStatus,
  LOGGER,
  startGrpcServer,
  toLocalDateTime,
} from '@runrun/common';
import type { ProductItemResponse } from '@runrun/contracts';
import { isValidObjectId } from 'mongoose';
import type { Logger } from 'pino';
import type { ProductConfig } from '../config';
import { discountedPrice, PRODUCT_MODEL, ProductDocument, ProductModel } from './product.schema';

/** ProductService gRPC server (port 9001) for order and payment. */
@Injectable()
export class ProductGrpcServer implements OnApplicationBootstrap {
  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    private readonly dependencies: DependencyRegistry,
    @Inject(CONFIG) private readonly config: ProductConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startGrpcServer(
      'ProductService',
      {
        GetProductItem: async ({ id }) => {
          const [product] = await this.findLive([id]);
          if (!product) throw notFound();
          return toProductItem(product);
        },
        GetProductItems: async ({ ids }) => {
          const unique = [...new Set(ids)];
          const found = await this.findLive(unique);
          if (found.length < unique.length) throw notFound();
          return { products: found.map(toProductItem) };
        },
        // CheckAndUpdateProductStock arrives with authoritative stock (UNIMPLEMENTED until then)
      },
      {
        address: `${this.config.http.host}:${this.config.grpcPort}`,
        logger: this.logger,
        dependencies: this.dependencies,
      },
    );
  }

  private findLive(ids: string[]): Promise<ProductDocument[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    return this.products.find({ _id: { $in: valid }, isDeleted: false }).exec();
  }
}

// the original answers INVALID_ARGUMENT for unknown or deleted products
const notFound = () => new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'PRODUCT_NOT_FOUND');

export const toProductItem = (p: ProductDocument): ProductItemResponse => ({
  id: p.id as string,
  thumbnail: p.thumbnailPath,
  brandId: p.productBrand.id,
  brandName: p.productBrand.name,
  name: p.name,
  discount: p.discount,
  price: p.price,
  discountedPrice: discountedPrice(p),
  orderingOpensAt: toLocalDateTime(p.orderingOpensAt),
  quantity: p.quantity,
});
