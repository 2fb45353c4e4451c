import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, REDIS } from '@runrun/common';
import type { ProductItemResponse } from '@runrun/contracts';
import type Redis from 'ioredis';
import type { ProductConfig } from '../config';
import { RedisKeys } from '../redis-keys';

/**
 * gRPC product items in Redis (`PRODUCT_ITEM_RESPONSE<id>`, 10 minutes, as the original), read on
 * every order. Any change to a product (update, delete, stock) drops its entry.
 */
@Injectable()
export class ProductItemCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: ProductConfig,
  ) {}

  /** The cached items of `ids`, undefined where missing. A cache that is down is just a miss. */
  async getMany(ids: string[]): Promise<(ProductItemResponse | undefined)[]> {
    if (!ids.length) return [];
    const values = await this.redis.mget(ids.map(RedisKeys.productItem)).catch(() => ids.map(() => null));
    return values.map((v) => (v ? (JSON.parse(v) as ProductItemResponse) : undefined));
  }

  async putMany(items: ProductItemResponse[]): Promise<void> {
    if (!items.length) return;
    const multi = this.redis.multi();
    for (const item of items)
      multi.set(RedisKeys.productItem(item.id), JSON.stringify(item), 'EX', this.config.productCacheTtlSeconds);
    await multi.exec().catch(() => undefined);
  }

  async forget(ids: string[]): Promise<void> {
    if (ids.length) await this.redis.del(...ids.map(RedisKeys.productItem));
  }
}
