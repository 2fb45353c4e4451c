import { Injectable } from '@nestjs/common';
import { GrpcClient, grpcCommunicationError, InjectGrpcClient } from '@runrun/common';
import type { BrandDetailResponse } from '@runrun/contracts';
import { LRUCache } from 'lru-cache';

/**
 * Brand details from the brand service (gRPC GetBrandDetail), kept in process for 10 minutes
 * (at most 50 brands), as the original's Caffeine cache. `forget` drops one after a change.
 */
@Injectable()
export class BrandDetails {
  private readonly cache = new LRUCache<number, BrandDetailResponse>({ max: 50, ttl: 10 * 60_000 });

  constructor(@InjectGrpcClient('BrandService') private readonly client: GrpcClient<'BrandService'>) {}

  async get(brandId: number): Promise<BrandDetailResponse> {
    const cached = this.cache.get(brandId);
    if (cached) return cached;
    try {
      const detail = await this.client.GetBrandDetail({ id: brandId });
      this.cache.set(brandId, detail);
      return detail;
    } catch (error) {
      throw grpcCommunicationError(error);
    }
  }

  forget(brandId: number): void {
    this.cache.delete(brandId);
  }
}
