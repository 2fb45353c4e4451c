import { grpcClientProvider } from '@runrun/common';
import type { PaymentConfig } from '../config';

/** The stock decrease may queue behind a rush on the same product at product: a long deadline. */
const STOCK_DEADLINE_MS = 20_000;

/** gRPC clients of the order (9005) and product (9001) services. */
export const grpcClients = [
  grpcClientProvider('OrderService', (c: PaymentConfig) => c.orderGrpc),
  grpcClientProvider('ProductService', (c: PaymentConfig) => c.productGrpc, STOCK_DEADLINE_MS),
];
