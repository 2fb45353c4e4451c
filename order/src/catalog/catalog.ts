import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, GrpcClient, grpcCommunicationError, InjectGrpcClient, parseLocalDateTime } from '@runrun/common';
import type { BrandInfo, ProductItemResponse } from '@runrun/contracts';
import { LRUCache } from 'lru-cache';
import type { OrderConfig } from '../config';

/** Opening times as read, by their text: reading one takes time zone arithmetic, and every order asks. */
const openingTimes = new LRUCache<string, number>({ max: 10_000 });

/** When ordering the product opens, epoch ms (0: no valid opening time, it is open). */
export function openingTime(product: Pick<ProductItemResponse, 'orderingOpensAt'>): number {
  const text = product.orderingOpensAt;
  let at = openingTimes.get(text);
  if (at === undefined) {
    at = parseLocalDateTime(text)?.getTime() ?? 0;
    openingTimes.set(text, at);
  }
  return at;
}

/**
 * Product and brand data for orders and carts, over gRPC, reused in process for a short time
 * (products ~1 s: their stock only seeds reservation counters; brands 10 min, as the original).
 * Repeated ids are asked once (the original's duplicates broke orders: D21, D22).
 */
@Injectable()
export class Catalog {
  private readonly productCache: LRUCache<string, ProductItemResponse>;
  private readonly brandCache = new LRUCache<number, BrandInfo>({ max: 1000, ttl: 10 * 60_000 });
  private readonly inFlight = new Map<string, Promise<Map<string, ProductItemResponse>>>();

  constructor(
    @Inject(CONFIG) config: OrderConfig,
    @InjectGrpcClient('ProductService') private readonly products: GrpcClient<'ProductService'>,
    @InjectGrpcClient('BrandService') private readonly brands: GrpcClient<'BrandService'>,
  ) {
    this.productCache = new LRUCache({ max: 10_000, ttl: config.productCacheMs });
  }

  /**
   * Entries are taken when first seen and a call's answer is used as it came: an entry that expires
   * while a call is in flight (or is evicted) is never looked up again, so it cannot go missing.
   */
  async productItems(ids: string[]): Promise<Map<string, ProductItemResponse>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, ProductItemResponse>();
    const missing: string[] = [];
    for (const id of unique) {
      const hit = this.productCache.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      // concurrent orders missing the same products share one call (no stampede each time it expires)
      const key = missing.sort().join(',');
      let call = this.inFlight.get(key);
      if (!call) {
        call = this.products.GetProductItems({ ids: missing }).then(
          ({ products }) => {
            for (const p of products) this.productCache.set(p.id, p);
            return new Map(products.map((p) => [p.id, p]));
          },
          (error: unknown) => Promise.reject(grpcCommunicationError(error)),
        );
        call.finally(() => this.inFlight.delete(key)).catch(() => undefined);
        this.inFlight.set(key, call);
      }
      for (const [id, p] of await call) found.set(id, p);
    }
    return new Map(unique.map((id) => [id, found.get(id)!]));
  }

  async brandInfos(ids: number[]): Promise<Map<number, BrandInfo>> {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !this.brandCache.has(id));
    if (missing.length) {
      try {
        const { brands } = await this.brands.GetBrandInfos({ ids: missing });
        for (const b of brands) this.brandCache.set(b.id, b);
      } catch (error) {
        throw grpcCommunicationError(error);
      }
    }
    return new Map(unique.map((id) => [id, this.brandCache.get(id)!]));
  }
}
