import { Inject, Injectable } from '@nestjs/common';
import { AppException, loadScript, REDIS, RedisClient } from '@runrun/common';
import { Catalog } from '../catalog/catalog';
import { OrderErrors } from '../errors';
import type { CartItem } from './cart.dto';
import type { ProductItemResponse } from '@runrun/contracts';
import { RedisKeys } from '../redis-keys';

/** How product answers ids that are unknown or deleted (gRPC INVALID_ARGUMENT / NOT_FOUND). */
const isNotFound = (error: unknown) => error instanceof AppException && [400, 404].includes(error.status);

const REMOVE_ALL_OR_NONE = loadScript(__dirname, 'remove-all-or-none.lua');

/** A shopper's cart in Redis (`carts:<userId>`: productId → quantity), as the original. */
@Injectable()
export class CartService {
  private readonly redis: RedisClient & { removeAllOrNone(key: string, ...fields: string[]): Promise<number> };

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly catalog: Catalog,
  ) {
    redis.defineCommand('removeAllOrNone', { numberOfKeys: 1, lua: REMOVE_ALL_OR_NONE });
    this.redis = redis as typeof this.redis;
  }

  /** Adds to the line (or creates it) of a product that exists. */
  async add(userId: number, productId: string, quantity: number): Promise<void> {
    await this.catalog.productItems([productId]);
    await this.redis.hincrby(RedisKeys.cart(userId), productId, quantity);
  }

  async set(userId: number, productId: string, quantity: number): Promise<void> {
    if (!(await this.redis.hexists(RedisKeys.cart(userId), productId))) throw OrderErrors.itemDoesNotExist();
    await this.redis.hset(RedisKeys.cart(userId), productId, quantity);
  }

  async remove(userId: number, productIds: string[]): Promise<void> {
    if ((await this.redis.removeAllOrNone(RedisKeys.cart(userId), ...productIds)) === 0)
      throw OrderErrors.itemDoesNotExist();
  }

  /** After an order: the ordered quantities leave the cart; lines that reach zero go. */
  async removeOrdered(userId: number, items: { productId: string; quantity: number }[]): Promise<void> {
    for (const { productId, quantity } of items) {
      const left = Number(await this.redis.hincrby(RedisKeys.cart(userId), productId, -quantity));
      if (left <= 0) await this.redis.hdel(RedisKeys.cart(userId), productId);
    }
  }

  /**
   * Product data of the cart's lines. Product refuses a whole lookup naming a deleted product
   * (400), so then each is asked alone and the lines of deleted ones leave the cart.
   */
  private async liveProducts(userId: number, ids: string[]): Promise<Map<string, ProductItemResponse>> {
    try {
      return await this.catalog.productItems(ids);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const live = new Map<string, ProductItemResponse>();
    const gone: string[] = [];
    for (const id of ids) {
      try {
        live.set(id, (await this.catalog.productItems([id])).get(id)!);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        gone.push(id);
      }
    }
    if (gone.length) await this.redis.hdel(RedisKeys.cart(userId), ...gone);
    return live;
  }

  /** Lines grouped by brand, with product and brand data (deleted products are left out). */
  async list(userId: number): Promise<CartItem[]> {
    const lines = Object.entries(await this.redis.hgetall(RedisKeys.cart(userId))).map(([productId, q]) => ({
      productId,
      quantity: Number(q),
    }));
    if (!lines.length) return [];
    const products = await this.liveProducts(
      userId,
      lines.map((l) => l.productId),
    );
    const brands = await this.catalog.brandInfos([...products.values()].map((p) => p.brandId));
    const byBrand = new Map<number, CartItem>();
    for (const { productId, quantity } of lines) {
      const p = products.get(productId);
      if (!p) continue;
      const brand = brands.get(p.brandId)!;
      const group = byBrand.get(p.brandId) ?? {
        brandId: p.brandId,
        brandName: brand.name,
        freeDeliveryInfimum: brand.freeDeliveryInfimum,
        deliveryFee: brand.deliveryFee,
        items: [],
      };
      group.items.push({
        productId,
        name: p.name,
        quantity,
        price: p.price,
        discount: p.discount,
        discountedPrice: p.discountedPrice,
        totalPrice: p.discountedPrice * quantity,
      });
      byBrand.set(p.brandId, group);
    }
    return [...byBrand.values()];
  }
}
