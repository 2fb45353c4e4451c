import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, getMany, REDIS, RedisClient } from '@runrun/common';
import type { ProductItemResponse } from '@runrun/contracts';
import type { ProductConfig } from '../config';
import { RedisKeys } from '../redis-keys';

/**
 * gRPC product items in Redis (`PRODUCT_ITEM_RESPONSE<id>`, 10 minutes, as the original), read on
 * every order. Any change to a product (update, delete, stock) drops its entry.
 */
@Injectable()
export class ProductItemCache {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) private readonly config: ProductConfig,
  ) {}

  /** The cached items of `ids`, undefined where missing. A cache that is down is just a miss. */
  async getMany(ids: string[]): Promise<(ProductItemResponse | undefined)[]> {
    if (!ids.length) return [];
    const values = await getMany(this.redis, ids.map(RedisKeys.productItem)).catch(() => ids.map(() => null));
    return values.map((v) => (v ? (JSON.parse(v) as ProductItemResponse) : undefined));
  }

  async putMany(items: ProductItemResponse[]): Promise<void> {
    if (!items.length) return;
    // one SET per product: on a Redis Cluster the products' keys are in different slots
    const ttl = this.config.productCacheTtlSeconds;
    await Promise.all(
      items.map((item) => this.redis.set(RedisKeys.productItem(item.id), JSON.stringify(item), 'EX', ttl)),
    ).catch(() => undefined);
  }

  async forget(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.redis.del(RedisKeys.productItem(id))));
  }
}
