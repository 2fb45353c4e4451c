import { createBrand, createProduct, gateway, newShopper, orderForm, productForm } from '@runrun/testkit';

/**
 * The order service asks again for the products in demand together with a missing one (its
 * product cache, 1 s here). A product deleted since it was cached makes the product service refuse
 * the whole call; the order for the other product must still be answered.
 */
describe('products asked for ahead', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('an order is answered while a product asked for with it was deleted', async () => {
    const [seller, shopper] = await Promise.all([newShopper('SELLER'), newShopper()]);
    const brand = await createBrand(seller.auth);
    const gone = await createProduct(seller.auth, productForm(brand, { name: 'Gone', quantity: 10 }));
    const other = await createProduct(seller.auth, productForm(brand, { name: 'Other', quantity: 10 }));
    const order = async (id: string) => {
      const res = await fetch(gateway('/orders'), {
        method: 'POST',
        headers: { ...shopper.auth, 'content-type': 'application/json' },
        body: JSON.stringify(orderForm([[id, 1]])),
      });
      return { status: res.status, body: (await res.json()) as { orderId?: string; code?: string } };
    };

    expect((await order(gone)).status).toBe(200);
    await sleep(600); // its entry is past half its time
    expect((await order(gone)).status).toBe(200); // from the cache: in demand
    expect((await fetch(gateway(`/products/${gone}`), { method: 'DELETE', headers: seller.auth })).status).toBe(200);

    // the call for `other` names `gone` too; the product service refuses it, `other` is asked alone
    const forOther = await order(other);
    expect(forOther.status).toBe(200);
    expect(forOther.body.orderId).toEqual(expect.any(String));

    await sleep(1200); // `gone` has left the cache
    expect((await order(gone)).body.code).toBe('GRPC_COMMUNICATION_ERROR');
  });
});
