import { GrpcClient, grpcClientProvider } from '@runrun/common';
import type { PaymentConfig } from '../config';

/** gRPC clients of the order (9005) and product (9001) services. */
export const ORDER_CLIENT = Symbol('ORDER_CLIENT');
export const PRODUCT_CLIENT = Symbol('PRODUCT_CLIENT');
export type OrderClient = GrpcClient<'OrderService'>;
export type ProductClient = GrpcClient<'ProductService'>;

/** The stock decrease may queue behind a rush on the same product at product: a long deadline. */
const STOCK_DEADLINE_MS = 20_000;

export const orderClientProvider = grpcClientProvider(ORDER_CLIENT, 'OrderService', (c: PaymentConfig) => c.orderGrpc);
export const productClientProvider = grpcClientProvider(
  PRODUCT_CLIENT,
  'ProductService',
  (c: PaymentConfig) => c.productGrpc,
  STOCK_DEADLINE_MS,
);
