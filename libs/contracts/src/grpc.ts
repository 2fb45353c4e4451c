import { join } from 'node:path';

/** gRPC messages as @grpc/proto-loader hands them over (keepCase, longs as numbers). */
export const PROTO_DIR = join(__dirname, '..', 'proto');
export const protoFile = (name: 'brand' | 'product' | 'order'): string => join(PROTO_DIR, `${name}.proto`);

export interface BrandRequest {
  id: number;
}
export interface BrandResponse {
  id: number;
  name: string;
  userId: number;
  freeDeliveryInfimum: number;
}
export interface BrandDetailRequest {
  id: number;
}
export interface BrandDetailResponse {
  id: number;
  name: string;
  legalName: string;
  thumbnail: string;
  introduction: string;
  registrationNumber: string;
  freeDeliveryInfimum: number;
  userId: number;
}
export interface BrandInfosRequest {
  ids: number[];
}
export interface BrandInfo {
  id: number;
  name: string;
  freeDeliveryInfimum: number;
  deliveryFee: number;
}
export interface BrandInfosResponse {
  brands: BrandInfo[];
}

export interface ProductItemRequest {
  id: string;
}
export interface ProductItemResponse {
  id: string;
  thumbnail: string;
  brandId: number;
  brandName: string;
  name: string;
  discount: number;
  price: number;
  discountedPrice: number;
  orderingOpensAt: string;
  quantity: number;
  /** Units one shopper may hold at once (orders not ended without a sale); 0 = unlimited. */
  purchaseLimit: number;
}
export interface ProductItemsRequest {
  ids: string[];
}
export interface ProductItemsResponse {
  products: ProductItemResponse[];
}
export interface ProductIdQuantity {
  productId: string;
  quantity: number;
}
export interface CheckProductStockRequest {
  orderId: string;
  productQuantity: ProductIdQuantity[];
}
export interface CheckProductStockResponse {
  isSuccess: boolean;
}

export interface OrderInfoRequest {
  orderId: string;
}
export interface OrderInfoResponse {
  orderId: string;
  orderName: string;
  paymentAmount: number;
  userId: number;
  productQuantity: { productId: string; quantity: number }[];
  status: string;
}

/** rpc name → [request, response], per service; used to type clients and servers. */
export interface GrpcServices {
  BrandService: {
    GetBrand: [BrandRequest, BrandResponse];
    GetBrandDetail: [BrandDetailRequest, BrandDetailResponse];
    GetBrandInfos: [BrandInfosRequest, BrandInfosResponse];
  };
  ProductService: {
    GetProductItem: [ProductItemRequest, ProductItemResponse];
    GetProductItems: [ProductItemsRequest, ProductItemsResponse];
    CheckAndUpdateProductStock: [CheckProductStockRequest, CheckProductStockResponse];
  };
  OrderService: {
    GetOrder: [OrderInfoRequest, OrderInfoResponse];
  };
}
export type GrpcServiceName = keyof GrpcServices;
export const GRPC_PROTO: Record<GrpcServiceName, 'brand' | 'product' | 'order'> = {
  BrandService: 'brand',
  ProductService: 'product',
  OrderService: 'order',
};
