import { gateway } from './shoppers';

/** A 1×1 PNG: the smallest real image the services accept. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export const brandForm = (overrides: Record<string, unknown> = {}) => ({
  name: 'RUNRUN Studio',
  legalName: 'RUNRUN Studio Inc.',
  registrationNumber: '123-45-67890',
  deliveryFee: 3000,
  freeDeliveryInfimum: 50000,
  introduction: 'Limited drops every Friday',
  ...overrides,
});

export const productForm = (brandId: number, overrides: Record<string, unknown> = {}) => ({
  brandId,
  categoryId: '66ba11c4ab906f11f7ff0002',
  name: 'Flash tee',
  manufacturer: 'RUNRUN Factory',
  countryOfManufacture: 'Korea',
  contact: '02-1234-5678',
  price: 65000,
  quantity: 100,
  discount: 10,
  deliveryFee: 3000,
  ...overrides,
});

/** multipart/form-data with the JSON `form` part and image parts, as the original's clients send. */
export function multipart(form: unknown, files: Record<string, Buffer | undefined> = {}): FormData {
  const data = new FormData();
  data.append('form', new Blob([JSON.stringify(form)], { type: 'application/json' }));
  for (const [name, content] of Object.entries(files)) {
    if (content) data.append(name, new Blob([content], { type: 'image/png' }), `${name}.png`);
  }
  return data;
}

export async function createBrand(
  auth: Record<string, string>,
  form = brandForm(),
  image: Buffer | undefined = PNG,
): Promise<number> {
  const res = await fetch(gateway('/brands'), { method: 'POST', headers: auth, body: multipart(form, { image }) });
  if (res.status !== 200) throw new Error(`create brand ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

export async function createProduct(auth: Record<string, string>, form: Record<string, unknown>): Promise<string> {
  const res = await fetch(gateway('/products'), {
    method: 'POST',
    headers: auth,
    body: multipart(form, { thumbnail: PNG, descriptionImage: PNG }),
  });
  if (res.status !== 200) throw new Error(`create product ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
