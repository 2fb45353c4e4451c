import { createBrand, createProduct, login, productForm, signUp, brandForm, gateway, PASSWORD } from '@runrun/testkit';
import { toLocalDateTime } from '@runrun/common';

/**
 * Demo data through the public API, as a seller would create it: a seller, a brand and products,
 * one of them a flash-sale product opening tomorrow at 10:00 (business time). Categories come
 * with the product service. Does nothing when products already exist.
 *
 *   node load-test/dist/seed.js            (npm start runs it when the catalogue is empty)
 */
export const DEMO_SELLER = 'seller@runrun.local';

export async function seed(): Promise<{ seeded: boolean }> {
  const existing = (await (await fetch(gateway('/products?size=1'))).json()) as unknown[];
  if (existing.length > 0) return { seeded: false };

  const session = await login(DEMO_SELLER).catch(async () => login(await signUp('SELLER', DEMO_SELLER)));
  const brandId = await createBrand(
    session.auth,
    brandForm({ name: 'RUNRUN Originals', legalName: 'RUNRUN Originals Co.' }),
  );
  const regular = [
    { name: 'Everyday tee', categoryId: '66ba11c4ab906f11f7ff0002', price: 29000, discount: 0, quantity: 500 },
    { name: 'Oxford shirt', categoryId: '66ba11c4ab906f11f7ff0003', price: 59000, discount: 20, quantity: 200 },
    { name: 'Selvedge jeans', categoryId: '66ba11c4ab906f11f7ff0005', price: 129000, discount: 10, quantity: 150 },
  ];
  for (const p of regular) await createProduct(session.auth, productForm(brandId, p));
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  const opensAt = `${toLocalDateTime(tomorrow).slice(0, 10)}T10:00:00`;
  await createProduct(
    session.auth,
    productForm(brandId, {
      name: 'Limited runner (flash sale)',
      categoryId: '66ba11c4ab906f11f7ff0007',
      price: 199000,
      discount: 30,
      quantity: 100,
      orderingOpensAt: opensAt,
    }),
  );
  return { seeded: true };
}

if (require.main === module) {
  seed()
    .then(({ seeded }) =>
      console.log(
        seeded
          ? `seeded: seller ${DEMO_SELLER} / ${PASSWORD}, a brand and 4 products`
          : 'catalogue not empty: nothing seeded',
      ),
    )
    .catch((error: unknown) => {
      console.error(`seed failed: ${(error as Error).message}`);
      process.exit(1);
    });
}
