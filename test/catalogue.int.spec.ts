import { createGrpcClient, GrpcStatus } from '@runrun/common';
import {
  brandForm,
  createBrand,
  createProduct,
  gateway,
  multipart,
  newShopper,
  PNG,
  productForm,
} from '@runrun/testkit';
import { wiring } from './env';

type Session = Awaited<ReturnType<typeof newShopper>>;

const expectError = async (res: Response, status: number, code: string) => {
  const body = (await res.json()) as { code: string; message: unknown };
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  return body;
};
const send = (method: string, path: string, auth: Record<string, string>, body?: FormData) =>
  fetch(gateway(path), { method, headers: auth, body });

describe('brands', () => {
  let seller: Session;
  let otherSeller: Session;
  beforeAll(async () => {
    [seller, otherSeller] = await Promise.all([newShopper('SELLER'), newShopper('SELLER')]);
  });

  it('a seller creates a brand with a thumbnail; it reads back and its image is served by URL', async () => {
    const id = await createBrand(seller.auth);
    const res = await fetch(gateway(`/brands/${id}`), { headers: seller.auth });
    expect(res.status).toBe(200);
    const brand = (await res.json()) as { thumbnail: string };
    expect(brand).toMatchObject({
      id,
      name: 'RUNRUN Studio',
      legalName: 'RUNRUN Studio Inc.',
      registrationNumber: '123-45-67890',
      deliveryFee: 3000,
      freeDeliveryInfimum: 50000,
      introduction: 'Limited drops every Friday',
    });
    expect(brand.thumbnail).toMatch(/\/files\/BRAND\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\d{17}\.png$/);
    const image = await fetch(brand.thumbnail);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('updating without an image keeps the thumbnail (the original dropped it)', async () => {
    const id = await createBrand(seller.auth);
    const before = (await (await fetch(gateway(`/brands/${id}`), { headers: seller.auth })).json()) as {
      thumbnail: string;
    };
    const { registrationNumber: _, ...update } = brandForm({ name: 'Renamed' });
    expect((await send('PUT', `/brands/${id}`, seller.auth, multipart(update))).status).toBe(200);
    const after = (await (await fetch(gateway(`/brands/${id}`), { headers: seller.auth })).json()) as {
      name: string;
      thumbnail: string;
    };
    expect(after).toMatchObject({ name: 'Renamed', thumbnail: before.thumbnail });
  });

  it('another seller cannot change it (403 NOT_BRAND_OWNER); an unknown brand is 404; customers are stopped at the door', async () => {
    const id = await createBrand(seller.auth);
    const { registrationNumber: _, ...update } = brandForm();
    await expectError(await send('PUT', `/brands/${id}`, otherSeller.auth, multipart(update)), 403, 'NOT_BRAND_OWNER');
    await expectError(await send('PUT', '/brands/999999999', seller.auth, multipart(update)), 404, 'BRAND_NOT_FOUND');
    await expectError(await fetch(gateway('/brands/999999999'), { headers: seller.auth }), 404, 'BRAND_NOT_FOUND');
    const customer = await newShopper();
    await expectError(await send('POST', '/brands', customer.auth, multipart(brandForm())), 403, 'FORBIDDEN');
  });

  it('a seller may own at most 5 brands, also when creating many at once', async () => {
    const fresh = await newShopper('SELLER');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => send('POST', '/brands', fresh.auth, multipart(brandForm()))),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) await expectError(r, 400, 'BRAND_LIMIT_OVER');
  });

  it.each([
    ['name', ''],
    ['name', 'x'.repeat(51)],
    ['legalName', ''],
    ['legalName', 'x'.repeat(51)],
    ['registrationNumber', '12345-67890'],
    ['deliveryFee', -1],
    ['deliveryFee', 100_001],
    ['freeDeliveryInfimum', 10_000_001],
    ['introduction', 'x'.repeat(201)],
    ['name', null],
    ['deliveryFee', '3000'],
  ])('brand with a bad %s (%j): 400 naming the field', async (field, value) => {
    const res = await send('POST', '/brands', seller.auth, multipart(brandForm({ [field]: value })));
    const body = await expectError(res, 400, 'REQUEST_ARGUMENT_NOT_VALID');
    expect(Object.keys(body.message as object)).toEqual([field]);
  });

  it('bad multipart requests are 400, never 500', async () => {
    const noForm = new FormData();
    noForm.append('image', new Blob([PNG]), 'a.png');
    await expectError(await send('POST', '/brands', seller.auth, noForm), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    const brokenJson = new FormData();
    brokenJson.append('form', '{"name":');
    await expectError(await send('POST', '/brands', seller.auth, brokenJson), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    const notImage = multipart(brandForm(), { image: Buffer.from('#!/bin/sh\nrm -rf /\n') });
    const body = await expectError(
      await send('POST', '/brands', seller.auth, notImage),
      400,
      'REQUEST_ARGUMENT_NOT_VALID',
    );
    expect(body.message).toEqual({ image: 'must be a JPEG, PNG, GIF or WebP image' });
    const tooBig = multipart(brandForm(), { image: Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]) });
    await expectError(await send('POST', '/brands', seller.auth, tooBig), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    const json = await fetch(gateway('/brands'), {
      method: 'POST',
      headers: { ...seller.auth, 'content-type': 'application/json' },
      body: JSON.stringify(brandForm()),
    });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);
  });
});

describe('products', () => {
  let seller: Session;
  let otherSeller: Session;
  let brandId: number;
  const product = createGrpcClient('ProductService', wiring.PRODUCT_GRPC_URL);
  afterAll(() => product.close());

  beforeAll(async () => {
    [seller, otherSeller] = await Promise.all([newShopper('SELLER'), newShopper('SELLER')]);
    brandId = await createBrand(seller.auth);
  });

  it('a seller creates a product with images; a shopper lists and reads it', async () => {
    const id = await createProduct(
      seller.auth,
      productForm(brandId, { name: 'Listed tee', orderingOpensAt: '2099-01-01T10:00:00' }),
    );
    const list = (await (await fetch(gateway('/products?page=0&size=5'))).json()) as { id: string }[];
    expect(list[0]).toMatchObject({
      id,
      name: 'Listed tee',
      price: 65000,
      discountedPrice: 58500,
      discount: 10,
      isFreeDelivery: false,
      countOfLikes: 0,
      isUserLike: false,
      brandName: 'RUNRUN Studio',
      brandId,
      isOpen: false,
    });
    const detail = await fetch(gateway(`/products/${id}`));
    expect(detail.status).toBe(200);
    const body = (await detail.json()) as { thumbnailPath: string };
    expect(body).toMatchObject({
      id,
      discountedPrice: 58500,
      price: 65000,
      deliveryFee: 3000,
      info: { manufacturer: 'RUNRUN Factory', countryOfManufacture: 'Korea', contact: '02-1234-5678' },
      brand: {
        brandId,
        name: 'RUNRUN Studio',
        legalName: 'RUNRUN Studio Inc.',
        registrationNumber: '123-45-67890',
        freeDeliveryInfimum: 50000,
      },
      categories: ['티셔츠', '상의'],
      isOpen: false,
      orderingOpensAt: '2099-01-01T10:00:00',
    });
    expect((await fetch(body.thumbnailPath)).status).toBe(200);
    expect(await product.GetProductItem({ id })).toMatchObject({
      id,
      brandId,
      price: 65000,
      discountedPrice: 58500,
      quantity: 100,
      orderingOpensAt: '2099-01-01T10:00:00',
    });
  });

  it('another seller can neither change nor delete it (404 NOT_PRODUCT_ADMIN)', async () => {
    const id = await createProduct(seller.auth, productForm(brandId));
    const { brandId: _, ...update } = productForm(brandId);
    await expectError(
      await send('PUT', `/products/${id}`, otherSeller.auth, multipart(update)),
      404,
      'NOT_PRODUCT_ADMIN',
    );
    await expectError(await send('DELETE', `/products/${id}`, otherSeller.auth), 404, 'NOT_PRODUCT_ADMIN');
    // nor add products to a brand that is not theirs
    const res = await send(
      'POST',
      '/products',
      otherSeller.auth,
      multipart(productForm(brandId), { thumbnail: PNG, descriptionImage: PNG }),
    );
    await expectError(res, 404, 'NOT_PRODUCT_ADMIN');
  });

  it('the owner updates it: fields, stock and caches change, images stay when none are sent', async () => {
    const id = await createProduct(seller.auth, productForm(brandId));
    const before = (await (await fetch(gateway(`/products/${id}`))).json()) as { thumbnailPath: string };
    await product.GetProductItem({ id }); // now cached
    const { brandId: _, ...update } = productForm(brandId, { name: 'Renamed tee', price: 70000, quantity: 7 });
    expect((await send('PUT', `/products/${id}`, seller.auth, multipart(update))).status).toBe(200);
    const after = (await (await fetch(gateway(`/products/${id}`))).json()) as { name: string; thumbnailPath: string };
    expect(after).toMatchObject({ name: 'Renamed tee', price: 70000, thumbnailPath: before.thumbnailPath });
    expect(await product.GetProductItem({ id })).toMatchObject({ name: 'Renamed tee', price: 70000, quantity: 7 });
    expect(await (await fetch(gateway(`/products/${id}/stock`))).json()).toEqual({
      id,
      name: 'Renamed tee',
      quantity: 7,
    });
  });

  it('a deleted product vanishes from lists, details and gRPC answers', async () => {
    const id = await createProduct(seller.auth, productForm(brandId, { name: 'Soon gone' }));
    await product.GetProductItem({ id });
    expect((await send('DELETE', `/products/${id}`, seller.auth)).status).toBe(200);
    const list = (await (await fetch(gateway('/products?size=100'))).json()) as { id: string }[];
    expect(list.map((p) => p.id)).not.toContain(id);
    await expectError(await fetch(gateway(`/products/${id}`)), 404, 'PRODUCT_NOT_FOUND');
    await expect(product.GetProductItem({ id })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    await expect(product.GetProductItems({ ids: [id] })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    await expectError(await send('DELETE', `/products/${id}`, seller.auth), 404, 'ALREADY_DELETED_PRODUCT');
    const { brandId: _, ...update } = productForm(brandId);
    await expectError(
      await send('PUT', `/products/${id}`, seller.auth, multipart(update)),
      404,
      'ALREADY_DELETED_PRODUCT',
    );
  });

  it('unknown products are 404 PRODUCT_NOT_FOUND; an unknown brand is GRPC_COMMUNICATION_ERROR 400', async () => {
    await expectError(await fetch(gateway('/products/000000000000000000000000')), 404, 'PRODUCT_NOT_FOUND');
    await expectError(await fetch(gateway('/products/not-an-id')), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(
      await send('DELETE', '/products/000000000000000000000000', seller.auth),
      404,
      'PRODUCT_NOT_FOUND',
    );
    const res = await send(
      'POST',
      '/products',
      seller.auth,
      multipart(productForm(999_999_999), { thumbnail: PNG, descriptionImage: PNG }),
    );
    await expectError(res, 400, 'GRPC_COMMUNICATION_ERROR');
  });

  it.each([
    ['categoryId', 'no-such-category'],
    ['name', ''],
    ['name', 'x'.repeat(51)],
    ['manufacturer', ''],
    ['countryOfManufacture', 'x'.repeat(21)],
    ['contact', '1234567'],
    ['price', -1],
    ['price', 10_000_001],
    ['quantity', 1001],
    ['quantity', -1],
    ['discount', 101],
    ['deliveryFee', 100_001],
    ['orderingOpensAt', '2020-01-01T10:00:00'],
    ['orderingOpensAt', 'next friday'],
    ['brandId', null],
    ['price', null],
  ])('product with a bad %s (%j): 400 naming the field', async (field, value) => {
    const res = await send(
      'POST',
      '/products',
      seller.auth,
      multipart(productForm(brandId, { [field]: value }), { thumbnail: PNG, descriptionImage: PNG }),
    );
    const body = await expectError(res, 400, 'REQUEST_ARGUMENT_NOT_VALID');
    expect(Object.keys(body.message as object)).toEqual([field]);
  });

  it('both images are required to create; pages are validated', async () => {
    const res = await send('POST', '/products', seller.auth, multipart(productForm(brandId), { thumbnail: PNG }));
    const body = await expectError(res, 400, 'REQUEST_ARGUMENT_NOT_VALID');
    expect(body.message).toEqual({ descriptionImage: 'an image is required' });
    await expectError(await fetch(gateway('/products?page=-1')), 400, 'REQUEST_ARGUMENT_NOT_VALID');
    await expectError(await fetch(gateway('/products?size=1000')), 400, 'REQUEST_ARGUMENT_NOT_VALID');
  });

  it('lists newest first and pages', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(await createProduct(seller.auth, productForm(brandId, { name: `paged ${i}` })));
    const page0 = (await (await fetch(gateway('/products?page=0&size=2'))).json()) as { id: string }[];
    const page1 = (await (await fetch(gateway('/products?page=1&size=2'))).json()) as { id: string }[];
    expect(page0.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(page1[0].id).toBe(ids[0]);
  });
});
