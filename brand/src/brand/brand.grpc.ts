import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CONFIG, DependencyRegistry, GrpcError, GrpcStatus, LOGGER, startGrpcServer } from '@runrun/common';
import type { BrandDetailResponse, BrandInfosResponse, BrandResponse } from '@runrun/contracts';
import type { Logger } from 'pino';
import { In, Repository } from 'typeorm';
import type { BrandConfig } from '../config';
import { Brand } from './brand.entity';

/** BrandService gRPC server (port 9002) for product and order. */
@Injectable()
export class BrandGrpcServer implements OnApplicationBootstrap {
  constructor(
    private readonly dependencies: DependencyRegistry,
    @InjectRepository(Brand) private readonly brands: Repository<Brand>,
    @Inject(CONFIG) private readonly config: BrandConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startGrpcServer(
      'BrandService',
      {
        GetBrand: async ({ id }) => toBrandResponse(await this.find(id)),
        GetBrandDetail: async ({ id }) => toBrandDetail(await this.find(id)),
        GetBrandInfos: async ({ ids }) => this.brandInfos(ids),
      },
      {
        address: `${this.config.http.host}:${this.config.grpcPort}`,
        logger: this.logger,
        dependencies: this.dependencies,
      },
    );
  }

  private async find(id: number): Promise<Brand> {
    const brand = await this.brands.findOneBy({ id: String(id) });
    // the original answers INVALID_ARGUMENT for an unknown id
    if (!brand) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'BRAND_NOT_FOUND');
    return brand;
  }

  /** Repeated ids are answered once each (the original failed on them). */
  private async brandInfos(ids: number[]): Promise<BrandInfosResponse> {
    const unique = [...new Set(ids.map(String))];
    const found = unique.length ? await this.brands.findBy({ id: In(unique) }) : [];
    if (found.length < unique.length) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'BRAND_NOT_FOUND');
    return {
      brands: found.map((b) => ({
        id: Number(b.id),
        name: b.name,
        freeDeliveryInfimum: b.freeDeliveryInfimum,
        deliveryFee: b.deliveryFee,
      })),
    };
  }
}

const toBrandResponse = (b: Brand): BrandResponse => ({
  id: Number(b.id),
  name: b.name,
  userId: Number(b.userId),
  freeDeliveryInfimum: b.freeDeliveryInfimum,
});

/** Null columns become empty strings (the original failed with INTERNAL on them). */
const toBrandDetail = (b: Brand): BrandDetailResponse => ({
  id: Number(b.id),
  name: b.name,
  legalName: b.legalName,
  thumbnail: b.thumbnail ?? '',
  introduction: b.introduction ?? '',
  registrationNumber: b.registrationNumber ?? '',
  freeDeliveryInfimum: b.freeDeliveryInfimum,
  userId: Number(b.userId),
});
