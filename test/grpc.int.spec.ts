import { createGrpcClient, GrpcStatus } from '@runrun/common';
import { Types } from 'mongoose';
import { TEST_DB, wiring } from './env';
import { withMongo, withMysql } from './stores';

const { ObjectId } = Types;

/** The gRPC paths between services, through the real servers (as order and payment call them). */
describe('gRPC between services', () => {
  const product = createGrpcClient('ProductService', wiring.PRODUCT_GRPC_URL);
  const brand = createGrpcClient('BrandService', wiring.BRAND_GRPC_URL);
  const order = createGrpcClient('OrderService', wiring.ORDER_GRPC_URL);
  afterAll(() => [product, brand, order].forEach((c) => c.close()));

  const live = new ObjectId();
  const deleted = new ObjectId();
  const opensAt = new Date('2030-01-02T01:00:00Z'); // 10:00 in Seoul

  beforeAll(() =>
    withMongo((db) =>
      db.collection('products').insertMany([
        {
          _id: live,
          name: 'flash tee',
          thumbnailPath: 'PRODUCT/thumb.jpg',
          price: 10001,
          discount: 15,
          quantity: 50,
          productBrand: { id: 42, name: 'runrun brand' },
          userId: 7,
          isDeleted: false,
          orderingOpensAt: opensAt,
        },
        {
          _id: deleted,
          name: 'gone',
          price: 1,
          discount: 0,
          quantity: 1,
          productBrand: { id: 1, name: 'b' },
          userId: 7,
          isDeleted: true,
          orderingOpensAt: opensAt,
        },
      ]),
    ),
  );

  it('order → product: GetProductItem returns the original message fields', async () => {
    const item = await product.GetProductItem({ id: live.toHexString() });
    expect(item).toEqual({
      id: live.toHexString(),
      thumbnail: 'PRODUCT/thumb.jpg',
      brandId: 42,
      brandName: 'runrun brand',
      name: 'flash tee',
      discount: 15,
      price: 10001,
      discountedPrice: 8500, // floor(10001 × 85 / 100)
      orderingOpensAt: '2030-01-02T10:00:00',
      quantity: 50,
      purchaseLimit: 0, // added field: no limit set
    });
  });

  it('GetProductItems answers repeated ids once', async () => {
    const { products } = await product.GetProductItems({ ids: [live.toHexString(), live.toHexString()] });
    expect(products.map((p) => p.id)).toEqual([live.toHexString()]);
  });

  it.each([
    ['an unknown id', () => new ObjectId().toHexString()],
    ['a deleted product', () => deleted.toHexString()],
    ['a malformed id', () => 'not-an-object-id'],
  ])('GetProductItem for %s is INVALID_ARGUMENT, not a crash', async (_, id) => {
    await expect(product.GetProductItem({ id: id() })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
  });

  it('brand: GetBrandInfos and GetBrandDetail read the brand table', async () => {
    const id = await withMysql(TEST_DB.brand, async (q) => {
      const result = (await q(
        "INSERT INTO brands (name, legal_name, delivery_fee, free_delivery_infimum, user_id) VALUES ('RUN', 'RUN Inc.', 3000, 50000, 9)",
      )) as unknown as { insertId: number };
      return result.insertId;
    });
    const infos = await brand.GetBrandInfos({ ids: [id, id] });
    expect(infos.brands).toEqual([{ id, name: 'RUN', freeDeliveryInfimum: 50000, deliveryFee: 3000 }]);
    const detail = await brand.GetBrandDetail({ id });
    expect(detail).toMatchObject({ id, name: 'RUN', legalName: 'RUN Inc.', thumbnail: '', userId: 9 });
    await expect(brand.GetBrand({ id: 999_999_999 })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
  });

  it('order: GetOrder of an unknown order is INVALID_ARGUMENT', async () => {
    await expect(order.GetOrder({ orderId: 'no-such-order' })).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
  });
});
