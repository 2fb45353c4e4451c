import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  ApiErrors,
  ApiObjectIdParam,
  CONFIG,
  objectIdPipe,
  SellerId,
  USER_ID_HEADER,
  validateBody,
} from '@runrun/common';
import { readMultipartForm } from '@runrun/storage';
import type { FastifyRequest } from 'fastify';
import type { ProductConfig } from '../config';
import {
  CreateProductForm,
  ProductCreated,
  ProductItem,
  ProductPageQuery,
  ProductResponse,
  ProductStock,
  UpdateProductForm,
} from './product.dto';
import { ProductService } from './product.service';

const IMAGES = ['thumbnail', 'descriptionImage'];
const multipartBody = (form: typeof CreateProductForm | typeof UpdateProductForm, imagesRequired: boolean) => ({
  schema: {
    type: 'object',
    required: imagesRequired ? ['form', ...IMAGES] : ['form'],
    properties: {
      form: {
        $ref: getSchemaPath(form),
        description: 'the JSON form: a text part (typed application/json or not) or a JSON file part',
      },
      thumbnail: { type: 'string', format: 'binary', description: 'JPEG, PNG, GIF or WebP' },
      descriptionImage: { type: 'string', format: 'binary', description: 'JPEG, PNG, GIF or WebP' },
    },
  },
});
// the brand is read from the brand service: its answers (unknown brand, brand service away)
const BRAND_LOOKUP = {
  400: ['GRPC_COMMUNICATION_ERROR'],
  404: ['GRPC_COMMUNICATION_ERROR'],
  503: ['GRPC_COMMUNICATION_ERROR'],
};

const productIdPipe = objectIdPipe('productId');

/** The caller's id when signed in (product reads are public). */
const optionalUserId = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);

@ApiTags('products')
@ApiExtraModels(CreateProductForm, UpdateProductForm)
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
  @ApiOperation({ summary: "Add a product to the seller's brand" })
  @ApiBody(multipartBody(CreateProductForm, true))
  @ApiOkResponse({ type: ProductCreated, description: 'the new product' })
  @ApiErrors({
    ...BRAND_LOOKUP,
    403: ['FORBIDDEN'],
    404: [...BRAND_LOOKUP[404], 'NOT_PRODUCT_ADMIN'],
    503: [...BRAND_LOOKUP[503], 'FILE_UPLOAD_FAILED'],
  })
  async create(@SellerId() userId: number, @Req() request: FastifyRequest): Promise<{ id: string }> {
    const { form, images } = await readMultipartForm(request, IMAGES, this.config.storage.maxFileBytes);
    return this.products.create(userId, await validateBody(CreateProductForm, form), images);
  }

  @Put(':productId')
  @ApiConsumes('multipart/form-data')
  @ApiObjectIdParam('productId')
  @ApiOperation({ summary: 'Change a product (its seller; images are kept when none is sent)' })
  @ApiBody(multipartBody(UpdateProductForm, false))
  @ApiOkResponse({ description: 'changed (empty body)' })
  @ApiErrors({
    ...BRAND_LOOKUP,
    403: ['FORBIDDEN'],
    404: [...BRAND_LOOKUP[404], 'PRODUCT_NOT_FOUND', 'NOT_PRODUCT_ADMIN', 'ALREADY_DELETED_PRODUCT'],
    503: [...BRAND_LOOKUP[503], 'FILE_UPLOAD_FAILED'],
  })
  async update(
    @SellerId() userId: number,
    @Param('productId', productIdPipe) productId: string,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const { form, images } = await readMultipartForm(request, IMAGES, this.config.storage.maxFileBytes);
    await this.products.update(userId, productId, await validateBody(UpdateProductForm, form), images);
  }

  @Delete(':productId')
  @ApiObjectIdParam('productId')
  @ApiOperation({ summary: 'Delete a product (its seller)' })
  @ApiOkResponse({ description: 'deleted (empty body)' })
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['PRODUCT_NOT_FOUND', 'NOT_PRODUCT_ADMIN', 'ALREADY_DELETED_PRODUCT'] })
  async delete(@SellerId() userId: number, @Param('productId', productIdPipe) productId: string): Promise<void> {
    await this.products.delete(userId, productId);
  }

  @Get()
  @ApiOperation({ summary: 'List products, newest first' })
  @ApiOkResponse({ type: [ProductItem] })
  list(@Query() query: ProductPageQuery, @Headers(USER_ID_HEADER) userId?: string): Promise<ProductItem[]> {
    return this.products.list(query.page, query.size, optionalUserId(userId));
  }

  @Get(':productId')
  @ApiObjectIdParam('productId')
  @ApiOperation({ summary: 'Read a product' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiErrors({ ...BRAND_LOOKUP, 404: ['PRODUCT_NOT_FOUND', ...BRAND_LOOKUP[404]] })
  detail(
    @Param('productId', productIdPipe) productId: string,
    @Headers(USER_ID_HEADER) userId?: string,
  ): Promise<ProductResponse> {
    return this.products.detail(productId, optionalUserId(userId));
  }

  /** Live stock of one product. */
  @Get(':productId/stock')
  @ApiObjectIdParam('productId')
  @ApiOperation({ summary: 'Live stock of a product' })
  @ApiOkResponse({ type: ProductStock })
  @ApiErrors({ 404: ['PRODUCT_NOT_FOUND'] })
  stock(@Param('productId', productIdPipe) productId: string): Promise<ProductStock> {
    return this.products.stockOf(productId);
  }
}
