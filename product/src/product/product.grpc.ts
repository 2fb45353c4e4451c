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
import { StockService } from '../stock/stock.service';
import { ProductItemCache } from './product-item.cache';
import { discountedPrice, PRODUCT_MODEL, ProductDocument, ProductModel } from './product.schema';

/** ProductService gRPC server (port 9001) for order and payment. */
@Injectable()
export class ProductGrpcServer implements OnApplicationBootstrap {
  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    private readonly cache: ProductItemCache,
    private readonly stock: StockService,
    private readonly dependencies: DependencyRegistry,
    @Inject(CONFIG) private readonly config: ProductConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startGrpcServer(
      'ProductService',
      {
        GetProductItem: async ({ id }) => (await this.items([id]))[0],
        GetProductItems: async ({ ids }) => ({ products: await this.items(ids) }),
        CheckAndUpdateProductStock: async ({ orderId, productQuantity }) => ({
          isSuccess: await this.stock.decrease(orderId, productQuantity),
        }),
      },
      {
        address: `${this.config.http.host}:${this.config.grpcPort}`,
        logger: this.logger,
        dependencies: this.dependencies,
      },
    );
  }

  /**
   * Live products by id, from the Redis cache or MongoDB, in the order asked; repeated ids are
   * answered once. Unknown or deleted products are INVALID_ARGUMENT, as the original.
   */
  async items(ids: string[]): Promise<ProductItemResponse[]> {
    const unique = [...new Set(ids)];
    const cached = await this.cache.getMany(unique);
    const missing = unique.filter((_, i) => !cached[i]);
    const loaded = missing.length ? (await this.findLive(missing)).map(toProductItem) : [];
    if (loaded.length < missing.length) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'PRODUCT_NOT_FOUND');
    await this.cache.putMany(loaded);
    const byId = new Map([...cached.filter(Boolean), ...loaded].map((item) => [item!.id, item!]));
    return unique.map((id) => byId.get(id)!);
  }

  private findLive(ids: string[]): Promise<ProductDocument[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    return this.products.find({ _id: { $in: valid }, isDeleted: false }).exec();
  }
}

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
  purchaseLimit: p.purchaseLimit ?? 0,
});
