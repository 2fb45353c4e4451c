import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LOGGER } from '@runrun/common';
import { FILE_STORAGE, FileStorage, storageKey, UploadedImage } from '@runrun/storage';
import type { Logger } from 'pino';
import { DataSource, Repository } from 'typeorm';
import { BrandErrors } from '../errors';
import type { BrandResponse, CreateBrandForm, UpdateBrandForm } from './brand.dto';
import { Brand } from './brand.entity';

export const BRAND_LIMIT = 5;

@Injectable()
export class BrandService {
  constructor(
    @InjectRepository(Brand) private readonly brands: Repository<Brand>,
    private readonly dataSource: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * At most 5 brands per seller, also when one seller creates several at once: the count and the
   * insert run under a per-seller database lock (the original checked, then acted).
   */
  async create(userId: number, form: CreateBrandForm, image?: UploadedImage): Promise<{ id: number }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const lock = `runrun:brand-limit:${userId}`;
    try {
      const [{ acquired }] = await runner.query('SELECT GET_LOCK(?, 10) AS acquired', [lock]);
      if (Number(acquired) !== 1) throw new Error('brand limit lock not acquired');
      try {
        const owned = await runner.manager.countBy(Brand, { userId: String(userId) });
        if (owned >= BRAND_LIMIT) throw BrandErrors.brandLimitOver();
        const thumbnail = image ? await this.upload(image) : null;
        const { identifiers } = await runner.manager.insert(Brand, {
          name: form.name,
          legalName: form.legalName,
          registrationNumber: form.registrationNumber,
          deliveryFee: form.deliveryFee,
          freeDeliveryInfimum: form.freeDeliveryInfimum,
          introduction: form.introduction ?? null,
          thumbnail,
          userId: String(userId),
        });
        return { id: Number(identifiers[0].id) };
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Owner only. A new image replaces the thumbnail; without one the thumbnail stays (D12). */
  async update(userId: number, brandId: number, form: UpdateBrandForm, image?: UploadedImage): Promise<void> {
    const brand = await this.find(brandId);
    if (brand.userId !== String(userId)) throw BrandErrors.notBrandOwner();
    const previous = brand.thumbnail;
    const thumbnail = image ? await this.upload(image) : previous;
    await this.brands.update(
      { id: brand.id },
      {
        name: form.name,
        legalName: form.legalName,
        deliveryFee: form.deliveryFee,
        freeDeliveryInfimum: form.freeDeliveryInfimum,
        introduction: form.introduction ?? null,
        thumbnail,
      },
    );
    if (image && previous)
      await this.storage.delete(previous).catch((err) => this.logger.warn({ err }, 'old thumbnail not deleted'));
  }

  async get(brandId: number): Promise<BrandResponse> {
    const b = await this.find(brandId);
    return {
      id: Number(b.id),
      name: b.name,
      legalName: b.legalName,
      thumbnail: b.thumbnail ? this.storage.url(b.thumbnail) : null,
      introduction: b.introduction,
      registrationNumber: b.registrationNumber,
      deliveryFee: b.deliveryFee,
      freeDeliveryInfimum: b.freeDeliveryInfimum,
    };
  }

  private async find(brandId: number): Promise<Brand> {
    const brand = await this.brands.findOneBy({ id: String(brandId) });
    if (!brand) throw BrandErrors.brandNotFound();
    return brand;
  }

  private async upload(image: UploadedImage): Promise<string> {
    const key = storageKey('BRAND', image.extension);
    try {
      await this.storage.put(key, image.content, image.type);
      return key;
    } catch (err) {
      this.logger.error({ err }, 'thumbnail upload failed');
      throw BrandErrors.fileUploadFailed();
    }
  }
}
