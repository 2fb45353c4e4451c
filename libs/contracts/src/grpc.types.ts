// Generated from libs/contracts/proto/*.proto by scripts/generate-grpc-types.mjs; do not edit.
// Run `npm run generate:grpc` after changing a .proto file (npm test checks it is current).

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

export interface BrandInfosResponse {
  brands: BrandInfo[];
}

export interface BrandInfo {
  id: number;
  name: string;
  freeDeliveryInfimum: number;
  deliveryFee: number;
}

export interface OrderInfoRequest {
  orderId: string;
}

export interface OrderInfoResponse {
  orderId: string;
  orderName: string;
  paymentAmount: number;
  userId: number;
  productQuantity: ProductQuantity[];
  /** added (the original had 1-5): payment refuses orders that are no longer PAYMENT_PENDING (D28) */
  status: string;
}

export interface ProductQuantity {
  productId: string;
  quantity: number;
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
  /** added (the original had 1-10): units one shopper may hold at once, 0 = unlimited */
  purchaseLimit: number;
}

export interface ProductItemsRequest {
  ids: string[];
}

export interface ProductItemsResponse {
  products: ProductItemResponse[];
}

export interface CheckProductStockRequest {
  orderId: string;
  productQuantity: ProductIdQuantity[];
}

export interface ProductIdQuantity {
  productId: string;
  quantity: number;
}

export interface CheckProductStockResponse {
  isSuccess: boolean;
}

/** rpc name → [request, response], per service; types the clients and servers. */
export interface GrpcServices {
  BrandService: {
    GetBrand: [BrandRequest, BrandResponse];
    GetBrandDetail: [BrandDetailRequest, BrandDetailResponse];
    GetBrandInfos: [BrandInfosRequest, BrandInfosResponse];
  };
  OrderService: {
    GetOrder: [OrderInfoRequest, OrderInfoResponse];
  };
  ProductService: {
    GetProductItem: [ProductItemRequest, ProductItemResponse];
    GetProductItems: [ProductItemsRequest, ProductItemsResponse];
    CheckAndUpdateProductStock: [CheckProductStockRequest, CheckProductStockResponse];
  };
}
export type GrpcServiceName = keyof GrpcServices;
export type ProtoName = 'brand' | 'order' | 'product';
/** The .proto file of each service. */
export const GRPC_PROTO: Record<GrpcServiceName, ProtoName> = {
  BrandService: 'brand',
  OrderService: 'order',
  ProductService: 'product',
};
