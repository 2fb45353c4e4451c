import { Inject, Injectable } from '@nestjs/common';
import {
  CONFIG,
  GrpcClient,
  grpcCommunicationError,
  GrpcStatus,
  InjectGrpcClient,
  parseLocalDateTime,
} from '@runrun/common';
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

/** The most products asked in one call beside the missing ones (refreshed ahead, below). */
const MAX_REFRESHED_AHEAD = 100;

/** A call refused because a product it names is gone (400) answers nothing; any other failure stands. */
const unlessGone = (error: unknown): Map<string, ProductItemResponse> => {
  if ((error as { status?: number }).status === 400) return new Map();
  throw error;
};

/**
 * Product and brand data for orders and carts, over gRPC, reused in process for a short time
 * (products ~1 s: their stock only seeds reservation counters; brands 10 min, as the original).
 * Repeated ids are asked once (the original's duplicates broke orders: D21, D22).
 *
 * A call for missing products also asks again for the products in demand whose entries are past
 * half their time: the hot products of a sale then expire together and are asked for in one
 * call, not one call per product each time its own entry expires.
 */
@Injectable()
export class Catalog {
  private readonly productCache: LRUCache<string, ProductItemResponse>;
  private readonly brandCache = new LRUCache<number, BrandInfo>({ max: 1000, ttl: 10 * 60_000 });
  private readonly inFlight = new Map<string, Promise<Map<string, ProductItemResponse>>>();
  /** When each product was last asked for (performance.now()): the products in demand. */
  private readonly lastAsked = new Map<string, number>();

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
   * A product already being asked for waits for that call (no stampede when entries expire).
   */
  async productItems(ids: string[]): Promise<Map<string, ProductItemResponse>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, ProductItemResponse>();
    const calls: Promise<Map<string, ProductItemResponse>>[] = [];
    const missing: string[] = [];
    const now = performance.now();
    for (const id of unique) {
      this.lastAsked.set(id, now);
      const hit = this.productCache.get(id);
      if (hit) found.set(id, hit);
      // another request's call fails for all when a product it names is gone: ours are then asked
      // for below, so that one shopper's deleted product does not fail another's order
      else if (this.inFlight.has(id)) calls.push(this.inFlight.get(id)!.catch(unlessGone));
      else missing.push(id);
    }
    if (missing.length) calls.push(this.fetchProducts(missing, this.dueForRefresh(now)));
    for (const answer of await Promise.all(calls)) for (const [id, p] of answer) found.set(id, p);
    // left out of a call that failed for another product, or asked for ahead (below)
    const unanswered = unique.filter((id) => !found.has(id));
    if (unanswered.length) for (const [id, p] of await this.productItems(unanswered)) found.set(id, p);
    return new Map(unique.map((id) => [id, found.get(id)!]));
  }

  /** Products asked for within half the cache time whose entries are past half theirs (or expired). */
  private dueForRefresh(now: number): string[] {
    const half = this.productCache.ttl / 2;
    const due: string[] = [];
    for (const [id, asked] of this.lastAsked) {
      if (now - asked > half) this.lastAsked.delete(id);
      else if (due.length < MAX_REFRESHED_AHEAD && !this.inFlight.has(id)) {
        // 0: not in the cache at all (its last call failed, or evicted): such a product is asked
        // for alone; an expired entry not yet looked up again is below 0
        const left = this.productCache.getRemainingTTL(id);
        if (left !== 0 && left < half) due.push(id);
      }
    }
    return due;
  }

  private fetchProducts(missing: string[], due: string[]): Promise<Map<string, ProductItemResponse>> {
    const ids = [...missing, ...due];
    const call = this.products.GetProductItems({ ids }).then(
      ({ products }) => {
        for (const p of products) this.productCache.set(p.id, p);
        return new Map(products.map((p) => [p.id, p]));
      },
      (error: unknown) =>
        // a product asked for ahead may be gone since (deleted): the call fails for all, so the
        // missing ones are asked for again alone; an unreachable product service is not asked twice
        due.length && (error as { code?: number }).code === GrpcStatus.INVALID_ARGUMENT
          ? this.fetchProducts(missing, [])
          : Promise.reject(grpcCommunicationError(error)),
    );
    for (const id of ids) this.inFlight.set(id, call);
    const settled = () => ids.forEach((id) => this.inFlight.get(id) === call && this.inFlight.delete(id));
    call.then(settled, settled);
    return call;
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
