import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { CONFIG, objectIdPipe, SellerId, USER_ID_HEADER, validateBody } from '@runrun/common';
import { readMultipartForm } from '@runrun/storage';
import type { FastifyRequest } from 'fastify';
import type { ProductConfig } from '../config';
import { CreateProductForm, ProductItem, ProductPageQuery, ProductResponse, UpdateProductForm } from './product.dto';
import { ProductService } from './product.service';

const IMAGES = ['thumbnail', 'descriptionImage'];
const multipartBody = (form: string, imagesRequired: boolean) => ({
  schema: {
    type: 'object',
    required: imagesRequired ? ['form', ...IMAGES] : ['form'],
    properties: {
      form: { type: 'string', description: `JSON of ${form}` },
      thumbnail: { type: 'string', format: 'binary' },
      descriptionImage: { type: 'string', format: 'binary' },
    },
  },
});

const productIdPipe = objectIdPipe('productId');

/** The caller's id when signed in (product reads are public). */
const optionalUserId = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);

@ApiTags('products')
@Controller('products')
export class ProductController {
  constructor(
    private readonly products: ProductService,
    @Inject(CONFIG) private readonly config: ProductConfig,
  ) {}

  /** A seller adds a product to their brand (multipart: `form` JSON, `thumbnail`, `descriptionImage`). */
  @Post()
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody('CreateProductForm', true))
  async create(@SellerId() userId: number, @Req() request: FastifyRequest): Promise<{ id: string }> {
    const { form, images } = await readMultipartForm(request, IMAGES, this.config.storage.maxFileBytes);
    return this.products.create(userId, await validateBody(CreateProductForm, form), images);
  }

  @Put(':productId')
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody('UpdateProductForm', false))
  async update(
    @SellerId() userId: number,
    @Param('productId', productIdPipe) productId: string,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const { form, images } = await readMultipartForm(request, IMAGES, this.config.storage.maxFileBytes);
    await this.products.update(userId, productId, await validateBody(UpdateProductForm, form), images);
  }

  @Delete(':productId')
  async delete(@SellerId() userId: number, @Param('productId', productIdPipe) productId: string): Promise<void> {
    await this.products.delete(userId, productId);
  }

  @Get()
  list(@Query() query: ProductPageQuery, @Headers(USER_ID_HEADER) userId?: string): Promise<ProductItem[]> {
    return this.products.list(query.page, query.size, optionalUserId(userId));
  }

  @Get(':productId')
  detail(
    @Param('productId', productIdPipe) productId: string,
    @Headers(USER_ID_HEADER) userId?: string,
  ): Promise<ProductResponse> {
    return this.products.detail(productId, optionalUserId(userId));
  }

  /** Live stock of one product. */
  @Get(':productId/stock')
  stock(@Param('productId', productIdPipe) productId: string): Promise<{ id: string; name: string; quantity: number }> {
    return this.products.stockOf(productId);
  }
}
