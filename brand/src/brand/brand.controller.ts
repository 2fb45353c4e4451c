import { Controller, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { CONFIG, idPipe, SellerId, validateBody } from '@runrun/common';
import { readMultipartForm } from '@runrun/storage';
import type { FastifyRequest } from 'fastify';
import type { BrandConfig } from '../config';
import { BrandResponse, CreateBrandForm, UpdateBrandForm } from './brand.dto';
import { BrandService } from './brand.service';

const brandIdPipe = idPipe('brandId');

const multipartBody = (form: string) => ({
  schema: {
    type: 'object',
    required: ['form'],
    properties: {
      form: { type: 'string', description: `JSON of ${form}` },
      image: { type: 'string', format: 'binary', description: 'thumbnail (JPEG, PNG, GIF or WebP), optional' },
    },
  },
});

@ApiTags('brands')
@Controller('brands')
export class BrandController {
  constructor(
    private readonly brands: BrandService,
    @Inject(CONFIG) private readonly config: BrandConfig,
  ) {}

  /** A seller opens a brand (multipart: `form` JSON + optional `image`). */
  @Post()
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody('CreateBrandForm'))
  async create(@SellerId() userId: number, @Req() request: FastifyRequest): Promise<{ id: number }> {
    const { form, images } = await readMultipartForm(request, ['image'], this.config.storage.maxFileBytes);
    return this.brands.create(userId, await validateBody(CreateBrandForm, form), images.image);
  }

  @Put(':brandId')
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody('UpdateBrandForm'))
  async update(
    @SellerId() userId: number,
    @Param('brandId', brandIdPipe) brandId: number,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const { form, images } = await readMultipartForm(request, ['image'], this.config.storage.maxFileBytes);
    await this.brands.update(userId, brandId, await validateBody(UpdateBrandForm, form), images.image);
  }

  @Get(':brandId')
  get(@Param('brandId', brandIdPipe) brandId: number): Promise<BrandResponse> {
    return this.brands.get(brandId);
  }
}
