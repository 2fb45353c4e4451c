import {
  brandForm,
  createBrand,
  createProduct,
  gateway,
  json,
  multipart,
  newShopper,
  openVerificationMail,
  orderForm,
  PNG,
  productForm,
  requestVerificationMail,
  signUpForm,
  uniqueEmail,
} from '@runrun/testkit';
import { TEST_DB } from './env';
import { eventually, withMysql } from './stores';

type Session = Awaited<ReturnType<typeof newShopper>>;

/**
 * Inputs that used to end in a 500 (or in a row the database cannot hold) are refused at the edge
 * with a 4xx envelope, through the gateway against the real servers.
 */
const expectEnvelope = async (res: Response, status: number, code: string) => {
  const body = (await res.json()) as { code: string; message: unknown; timestamp: string };
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(typeof body.timestamp).toBe('string');
  return body;
};
const refusedField = async (res: Response, field: string) => {
  const body = await expectEnvelope(res, 400, 'REQUEST_ARGUMENT_NOT_VALID');
  expect(Object.keys(body.message as object)).toContain(field);
};
const korean = (syllables: number) => '가'.repeat(syllables);

describe('inputs are bounded at the edge', () => {
  let seller: Session;
  let customer: Session;
  let productId: string;
  let upper: string;

  beforeAll(async () => {
    [seller, customer] = await Promise.all([newShopper('SELLER'), newShopper()]);
    const brandId = await createBrand(seller.auth);
    productId = await createProduct(seller.auth, productForm(brandId));
    upper = productId.toUpperCase();
  });

  it('paging: a page number beyond any store (1.95e133, 1e300) is 400, not 500', async () => {
    await refusedField(await fetch(gateway('/orders/me?page=1.95e133'), { headers: customer.auth }), 'page');
    await refusedField(await fetch(gateway('/orders/me?page=1e300&size=5'), { headers: customer.auth }), 'page');
    await refusedField(await fetch(gateway('/products?page=1e300')), 'page');
    expect((await fetch(gateway('/orders/me?page=1000000'), { headers: customer.auth })).status).toBe(200);
  });

  it.each([
    ['POST', '/brands'],
    ['PUT', '/brands/1'],
    ['POST', '/products'],
    ['PUT', '/products/0123456789abcdef01234567'],
  ])('%s %s: multipart/form-data without a boundary is 400', async (method, path) => {
    const res = await fetch(gateway(path), {
      method,
      headers: { ...seller.auth, 'content-type': 'multipart/form-data' },
      body: '--x\r\ncontent-disposition: form-data; name="form"\r\n\r\n{}\r\n--x--\r\n',
    });
    await refusedField(res, 'form');
  });

  it('a refused form part is answered 400 after the parts that follow it, not with a reset connection', async () => {
    for (let i = 0; i < 5; i++) {
      const body = new FormData();
      body.append('form', new Blob(['{'], { type: 'application/json' }), 'form.json');
      body.append('thumbnail', new Blob([PNG, Buffer.alloc(512 * 1024)], { type: 'image/png' }), 't.png');
      body.append('descriptionImage', new Blob([PNG], { type: 'image/png' }), 'd.png');
      const res = await fetch(gateway(`/products/${productId}`), { method: 'PUT', headers: seller.auth, body });
      await refusedField(res, 'form');
    }
  });

  it('a multipart write refused before its body is read is answered once the upload is in, never cut off', async () => {
    // the gateway used to drop the connection about once in 20 such uploads: send enough to see it
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 60; i++) {
      const body = multipart(productForm(1), { thumbnail: Buffer.alloc(512 * 1024), descriptionImage: PNG });
      const res = await fetch(gateway(`/products/${upper}`), { method: 'PUT', headers: seller.auth, body }).catch(
        (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
      );
      statuses.push(typeof res === 'string' ? res : res.status);
      if (typeof res !== 'string') await res.arrayBuffer();
    }
    expect(new Set(statuses)).toEqual(new Set([400]));
  });

  it('product ids in paths: upper-case or malformed is 400 naming the id', async () => {
    for (const id of [upper, 'abcdefghijkl', 'zzzzzzzzzzzzzzzzzzzzzzzz', '1']) {
      await refusedField(await fetch(gateway(`/products/${id}`)), 'productId');
      await refusedField(await fetch(gateway(`/products/${id}/stock`)), 'productId');
      await refusedField(
        await fetch(gateway(`/products/${id}`), { method: 'DELETE', headers: seller.auth }),
        'productId',
      );
      const update = multipart(productForm(1));
      await refusedField(
        await fetch(gateway(`/products/${id}`), { method: 'PUT', headers: seller.auth, body: update }),
        'productId',
      );
    }
    // the product is still there and still the seller's
    expect((await fetch(gateway(`/products/${productId}`))).status).toBe(200);
  });

  it('product ids in order bodies and carts: upper-case or malformed is 400 naming the field', async () => {
    const order = (id: string) => fetch(gateway('/orders'), json('POST', orderForm([[id, 1]]), customer.auth));
    await refusedField(await order(upper), 'products.0.id');
    await refusedField(await order('abcdefghijkl'), 'products.0.id');
    const cart = (method: string, body: unknown) => fetch(gateway('/carts'), json(method, body, customer.auth));
    await refusedField(await cart('POST', { id: upper, quantity: 1 }), 'id');
    await refusedField(await cart('PUT', { id: upper, quantity: 1 }), 'id');
    await refusedField(await cart('DELETE', { productIds: [upper] }), 'productIds');
    expect((await cart('POST', { id: productId, quantity: 1 })).status).toBe(200);
    expect(await (await fetch(gateway('/carts'), { headers: customer.auth })).json()).toMatchObject([
      { items: [{ productId, quantity: 1 }] },
    ]);
  });

  it('numeric ids in paths out of range are 400 naming them', async () => {
    await refusedField(await fetch(gateway('/brands/0'), { headers: customer.auth }), 'brandId');
    await refusedField(await fetch(gateway(`/brands/${'9'.repeat(30)}`), { headers: customer.auth }), 'brandId');
    const cancel = await fetch(gateway(`/orders/${'9'.repeat(30)}/cancel`), { method: 'POST', headers: customer.auth });
    await refusedField(cancel, 'orderId');
    await refusedField(
      await fetch(gateway('/users/addresses/-1'), { method: 'DELETE', headers: customer.auth }),
      'addressId',
    );
  });

  it('a path parameter over the router limit is answered with the envelope (414)', async () => {
    await expectEnvelope(await fetch(gateway(`/products/${'a'.repeat(300)}`)), 414, 'URI_TOO_LONG');
  });

  it('an order of more than 50 lines is 400 before anything is looked up', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => i.toString(16).padStart(24, '0'));
    const res = await fetch(gateway('/orders'), json('POST', orderForm(ids.map((id) => [id, 1])), customer.auth));
    await refusedField(res, 'products');
  });

  it('an order total beyond the INT column is 400 before any reservation or row is written', async () => {
    const shopper = await newShopper();
    const brandId = await createBrand(seller.auth, brandForm({ freeDeliveryInfimum: 0 }));
    const [dear, dearer] = await Promise.all([
      createProduct(seller.auth, productForm(brandId, { price: 10_000_000, discount: 0, quantity: 1000 })),
      createProduct(seller.auth, productForm(brandId, { price: 9_000_000, discount: 0, quantity: 1000 })),
    ]);
    const res = await fetch(
      gateway('/orders'),
      json(
        'POST',
        orderForm([
          [dear, 150],
          [dearer, 100],
        ]),
        shopper.auth,
      ),
    );
    const body = await expectEnvelope(res, 400, 'REQUEST_ARGUMENT_NOT_VALID');
    expect(body.message).toEqual({ products: 'the products of one order may total at most 2,000,000,000 won' });
    const rows = await withMysql(TEST_DB.order, (q) =>
      q('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [shopper.userId]),
    );
    expect(Number(rows[0].n)).toBe(0);
    // nothing held back: the whole stock can still be ordered at a total that fits (200 × 10,000,000)
    const fits = await fetch(gateway('/orders'), json('POST', orderForm([[dear, 200]]), shopper.auth));
    expect(fits.status).toBe(200);
  });

  it('an opening time whose year does not fit four digits is 400, not 500', async () => {
    const brandId = await createBrand(seller.auth);
    for (const orderingOpensAt of ['0968-46-61T92:42:46.2900', '0968-01-01T00:00', '9999-12-31T23:59']) {
      const body = multipart(productForm(brandId, { orderingOpensAt }), { thumbnail: PNG, descriptionImage: PNG });
      await refusedField(
        await fetch(gateway('/products'), { method: 'POST', headers: seller.auth, body }),
        'orderingOpensAt',
      );
    }
  });

  it('an e-mail the original pattern lets through but no mail server takes is 400, not 503', async () => {
    for (const email of ['y6A^.9..D@2Rk23-5qOWy.c5r.6.4g', 'a..b@runrun.test', 'shopper@runrun.4g']) {
      await refusedField(await fetch(gateway('/users/email-auths'), json('POST', { email })), 'email');
    }
  });

  describe('Korean addresses are bounded by what the encrypted columns hold', () => {
    const signUpWith = async (address: string) => {
      const email = uniqueEmail();
      await requestVerificationMail(email);
      const { ticket } = await openVerificationMail(email);
      return fetch(gateway('/users/signup'), json('POST', { ...signUpForm(email), address, signupTicket: ticket }));
    };

    it('sign-up: 60 syllables (180 bytes) is 400 naming the address; 53 (159 bytes) is stored', async () => {
      const body = await expectEnvelope(await signUpWith(korean(60)), 400, 'REQUEST_ARGUMENT_NOT_VALID');
      expect(Object.keys(body.message as object)).toEqual(['address']);
      expect((await signUpWith(korean(53))).status).toBe(200);
    });

    it('order receiver: 60 syllables is 400; 53 is ordered and saved to the addresses', async () => {
      const shopper = await newShopper();
      const receiver = (address: string) => ({ ...orderForm([]).receiver, address });
      const order = (address: string) =>
        fetch(
          gateway('/orders'),
          json(
            'POST',
            orderForm([[productId, 1]], { shouldSaveNewAddress: true, receiver: receiver(address) }),
            shopper.auth,
          ),
        );
      await refusedField(await order(korean(60)), 'receiver.address');
      expect((await order(korean(53))).status).toBe(200);
      const saved = await eventually(async () => {
        const list = (await (await fetch(gateway('/users/addresses'), { headers: shopper.auth })).json()) as {
          address: string;
        }[];
        return list.find((a) => a.address === korean(53));
      });
      expect(saved.address).toBe(korean(53));
    });
  });
});
