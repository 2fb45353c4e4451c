import { Controller, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiErrors, ApiIdParam, CONFIG, idPipe, SellerId, validateBody } from '@runrun/common';
import { readMultipartForm } from '@runrun/storage';
import type { FastifyRequest } from 'fastify';
import type { BrandConfig } from '../config';
import { BrandCreated, BrandResponse, CreateBrandForm, UpdateBrandForm } from './brand.dto';
import { BrandService } from './brand.service';

const brandIdPipe = idPipe('brandId');

const multipartBody = (form: typeof CreateBrandForm | typeof UpdateBrandForm) => ({
  schema: {
    type: 'object',
    required: ['form'],
    properties: {
      form: {
        $ref: getSchemaPath(form),
        description: 'the JSON form: a text part (typed application/json or not) or a JSON file part',
      },
      image: { type: 'string', format: 'binary', description: 'thumbnail (JPEG, PNG, GIF or WebP), optional' },
    },
  },
});

@ApiTags('brands')
@ApiExtraModels(CreateBrandForm, UpdateBrandForm)
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
  @ApiOperation({ summary: 'Open a brand (sellers, at most 5 each)' })
  @ApiBody(multipartBody(CreateBrandForm))
  @ApiOkResponse({ type: BrandCreated })
  @ApiErrors({ 400: ['BRAND_LIMIT_OVER'], 403: ['FORBIDDEN'], 503: ['FILE_UPLOAD_FAILED'] })
  async create(@SellerId() userId: number, @Req() request: FastifyRequest): Promise<{ id: number }> {
    const { form, images } = await readMultipartForm(request, ['image'], this.config.storage.maxFileBytes);
    return this.brands.create(userId, await validateBody(CreateBrandForm, form), images.image);
  }

  @Put(':brandId')
  @ApiConsumes('multipart/form-data')
  @ApiIdParam('brandId')
  @ApiOperation({ summary: 'Change a brand (its seller; the thumbnail is kept when no image is sent)' })
  @ApiBody(multipartBody(UpdateBrandForm))
  @ApiOkResponse({ description: 'changed (empty body)' })
  @ApiErrors({ 403: ['FORBIDDEN', 'NOT_BRAND_OWNER'], 404: ['BRAND_NOT_FOUND'], 503: ['FILE_UPLOAD_FAILED'] })
  async update(
    @SellerId() userId: number,
    @Param('brandId', brandIdPipe) brandId: number,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const { form, images } = await readMultipartForm(request, ['image'], this.config.storage.maxFileBytes);
    await this.brands.update(userId, brandId, await validateBody(UpdateBrandForm, form), images.image);
  }

  @Get(':brandId')
  @ApiIdParam('brandId')
  @ApiOperation({ summary: 'Read a brand' })
  @ApiOkResponse({ type: BrandResponse })
  @ApiErrors({ 404: ['BRAND_NOT_FOUND'] })
  get(@Param('brandId', brandIdPipe) brandId: number): Promise<BrandResponse> {
    return this.brands.get(brandId);
  }
}
