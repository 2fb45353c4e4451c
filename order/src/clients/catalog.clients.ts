import { GrpcClient, grpcClientProvider } from '@runrun/common';
import type { OrderConfig } from '../config';

/** gRPC clients of the product (9001) and brand (9002) services. */
export const PRODUCT_CLIENT = Symbol('PRODUCT_CLIENT');
export const BRAND_CLIENT = Symbol('BRAND_CLIENT');
export type ProductClient = GrpcClient<'ProductService'>;
export type BrandClient = GrpcClient<'BrandService'>;

export const productClientProvider = grpcClientProvider(
  PRODUCT_CLIENT,
  'ProductService',
  (c: OrderConfig) => c.productGrpc,
);
export const brandClientProvider = grpcClientProvider(BRAND_CLIENT, 'BrandService', (c: OrderConfig) => c.brandGrpc);
