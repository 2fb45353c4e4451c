import { Inject, Injectable } from '@nestjs/common';
import { AppException, LOGGER, parseLocalDateTime, toLocalDateTime } from '@runrun/common';
import type { BrandDetailResponse } from '@runrun/contracts';
import { FILE_STORAGE, FileStorage, storageKey, UploadedImage } from '@runrun/storage';
import { isValidObjectId } from 'mongoose';
import type { Logger } from 'pino';
import { BrandDetails } from '../brand/brand-details';
import { CategoryService } from '../category/category.service';
import { ProductErrors } from '../errors';
import { StockChanges } from '../stock/stock-changes';
import { StockLocks } from '../stock/stock-locks';
import { ProductItemCache } from './product-item.cache';
import type { CreateProductForm, ProductItem, ProductResponse, UpdateProductForm } from './product.dto';
import { discountedPrice, PRODUCT_MODEL, ProductDocument, ProductModel } from './product.schema';

export interface ProductImages {
  thumbnail?: UploadedImage;
  descriptionImage?: UploadedImage;
}

@Injectable()
export class ProductService {
  constructor(
    @Inject(PRODUCT_MODEL) private readonly products: ProductModel,
    private readonly categories: CategoryService,
    private readonly brands: BrandDetails,
    private readonly stockChanges: StockChanges,
    private readonly locks: StockLocks,
    private readonly cache: ProductItemCache,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Only the seller who owns the brand may add products to it; both images are required. */
  async create(userId: number, form: CreateProductForm, images: ProductImages): Promise<{ id: string }> {
    const brand = await this.brands.get(form.brandId);
    if (brand.userId !== userId) throw ProductErrors.notProductAdmin();
    const categories = await this.categoriesOf(form.categoryId);
    if (!images.thumbnail || !images.descriptionImage) throw missingImages(images);
    const [thumbnailPath, bodyImagePath] = await this.upload([images.thumbnail, images.descriptionImage]);
    const opensAt = form.orderingOpensAt ? parseLocalDateTime(form.orderingOpensAt)! : new Date();
    const product = await this.products.create({
      ...this.fields(form, brand),
      quantity: form.quantity,
      categories,
      thumbnailPath,
      bodyImagePath,
      userId,
      likes: [],
      isDeleted: false,
      orderingOpensAt: opensAt,
      isSpecial: Boolean(form.orderingOpensAt),
    });
    return { id: product.id as string };
  }

  /**
   * Owner only, not on deleted products. Images are optional (kept when not sent; replaced ones are
   * deleted). The stock is set under the stock lock, so it never races a payment's decrease, and
   * its difference reaches order's reservation counter (stock-changes.ts).
   */
  async update(userId: number, productId: string, form: UpdateProductForm, images: ProductImages): Promise<void> {
    const product = await this.ownedLive(userId, productId);
    const brand = await this.brands.get(product.productBrand.id);
    const categories = await this.categoriesOf(form.categoryId);
    const [thumbnailPath, bodyImagePath] = await this.upload([images.thumbnail, images.descriptionImage]);
    const opensAt = form.orderingOpensAt ? parseLocalDateTime(form.orderingOpensAt)! : product.orderingOpensAt;
    // under the stock lock too: FerretDB rewrites the whole document, and would put back a
    // quantity a payment changed meanwhile
    await this.locks.withLocks([product.id as string], () =>
      this.products
        .updateOne(
          { _id: product._id },
          {
            ...this.fields(form, brand),
            categories,
            thumbnailPath: thumbnailPath ?? product.thumbnailPath,
            bodyImagePath: bodyImagePath ?? product.bodyImagePath,
            orderingOpensAt: opensAt,
            isSpecial: Boolean(form.orderingOpensAt) || product.isSpecial,
          },
        )
        .exec(),
    );
    if (form.quantity !== product.quantity) await this.stockChanges.set(product.id as string, form.quantity);
    await this.cache.forget([product.id as string]);
    await this.deleteFiles([thumbnailPath && product.thumbnailPath, bodyImagePath && product.bodyImagePath]);
  }

  /** Soft delete: the product vanishes from lists, details and gRPC answers; its images are deleted. */
  async delete(userId: number, productId: string): Promise<void> {
    const product = await this.ownedLive(userId, productId);
    await this.locks.withLocks([product.id as string], () =>
      this.products.updateOne({ _id: product._id }, { isDeleted: true }).exec(),
    );
    await this.cache.forget([product.id as string]);
    await this.deleteFiles([product.thumbnailPath, product.bodyImagePath]);
  }

  /** Newest first, deleted ones left out. */
  async list(page: number, size: number, userId?: number): Promise<ProductItem[]> {
    const rows = await this.products
      .find({ isDeleted: false })
      .sort({ _id: -1 })
      .skip(page * size)
      .limit(size)
      .exec();
    return rows.map((p) => ({
      id: p.id as string,
      thumbnailPath: this.storage.url(p.thumbnailPath),
      price: p.price,
      discountedPrice: discountedPrice(p),
      discount: p.discount,
      name: p.name,
      isFreeDelivery: p.deliveryFee === 0,
      countOfLikes: p.likes.length,
      isUserLike: userId !== undefined && p.likes.includes(userId),
      brandName: p.productBrand.name,
      brandId: p.productBrand.id,
      isOpen: p.orderingOpensAt.getTime() < Date.now(),
      purchaseLimit: p.purchaseLimit ?? null,
    }));
  }

  async detail(productId: string, userId?: number): Promise<ProductResponse> {
    const p = await this.findLive(productId);
    const brand = await this.brands.get(p.productBrand.id);
    return {
      id: p.id as string,
      thumbnailPath: this.storage.url(p.thumbnailPath),
      descriptionImagePath: this.storage.url(p.bodyImagePath),
      discountedPrice: discountedPrice(p),
      price: p.price,
      discount: p.discount,
      deliveryFee: p.deliveryFee,
      name: p.name,
      isFreeDelivery: p.deliveryFee === 0,
      isUserLike: userId !== undefined && p.likes.includes(userId),
      info: {
        manufacturer: p.productInfo?.manufacturer ?? '',
        countryOfManufacture: p.productInfo?.countryOfManufacture ?? '',
        contact: p.productInfo?.contact ?? '',
      },
      brand: {
        brandId: brand.id,
        name: brand.name,
        legalName: brand.legalName,
        thumbnail: brand.thumbnail ? this.storage.url(brand.thumbnail) : '',
        introduction: brand.introduction,
        registrationNumber: brand.registrationNumber,
        freeDeliveryInfimum: brand.freeDeliveryInfimum,
      },
      categories: p.categories.map((c) => c.name ?? ''),
      isOpen: p.orderingOpensAt.getTime() < Date.now(),
      orderingOpensAt: toLocalDateTime(p.orderingOpensAt),
      purchaseLimit: p.purchaseLimit ?? null,
    };
  }

  async stockOf(productId: string): Promise<{ id: string; name: string; quantity: number }> {
    const p = await this.findLive(productId);
    return { id: p.id as string, name: p.name, quantity: p.quantity };
  }

  private fields(form: UpdateProductForm, brand: BrandDetailResponse) {
    return {
      name: form.name,
      price: form.price,
      discount: form.discount,
      deliveryFee: form.deliveryFee,
      productInfo: {
        manufacturer: form.manufacturer,
        countryOfManufacture: form.countryOfManufacture,
        contact: form.contact,
      },
      productBrand: { id: brand.id, name: brand.name },
      // absent or null: unlimited (an update without it removes the limit, as PUT replaces the form)
      purchaseLimit: form.purchaseLimit ?? null,
    };
  }

  private async categoriesOf(categoryId: string) {
    const categories = await this.categories.withAncestors(categoryId);
    if (!categories) throw ProductErrors.unknownCategory();
    return categories;
  }

  private async findLive(productId: string): Promise<ProductDocument> {
    const product = isValidObjectId(productId)
      ? await this.products.findOne({ _id: productId, isDeleted: false }).exec()
      : null;
    if (!product) throw ProductErrors.productNotFound();
    return product;
  }

  /** The original's order of checks: exists, then owner, then not deleted. */
  private async ownedLive(userId: number, productId: string): Promise<ProductDocument> {
    const product = isValidObjectId(productId) ? await this.products.findById(productId).exec() : null;
    if (!product) throw ProductErrors.productNotFound();
    if (product.userId !== userId) throw ProductErrors.notProductAdmin();
    if (product.isDeleted) throw ProductErrors.alreadyDeletedProduct();
    return product;
  }

  private async upload(images: (UploadedImage | undefined)[]): Promise<(string | undefined)[]> {
    try {
      return await Promise.all(
        images.map(async (image) => {
          if (!image) return undefined;
          const key = storageKey('PRODUCT', image.extension);
          await this.storage.put(key, image.content, image.type);
          return key;
        }),
      );
    } catch (err) {
      this.logger.error({ err }, 'product image upload failed');
      throw ProductErrors.fileUploadFailed();
    }
  }

  private async deleteFiles(keys: (string | undefined | false | null)[]): Promise<void> {
    for (const key of keys) {
      if (key) await this.storage.delete(key).catch((err) => this.logger.warn({ err, key }, 'old image not deleted'));
    }
  }
}

function missingImages(images: ProductImages): AppException {
  const missing: Record<string, string> = {};
  if (!images.thumbnail) missing.thumbnail = 'an image is required';
  if (!images.descriptionImage) missing.descriptionImage = 'an image is required';
  return new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, missing);
}
