import { GrpcClient, GrpcStatus, parseLocalDateTime } from '@runrun/common';
import type { ProductItemResponse } from '@runrun/contracts';
import type { OrderConfig } from '../config';
import { Catalog, openingTime } from './catalog';

describe('openingTime', () => {
  it('reads the opening time in the business time zone, the same on every call', () => {
    const text = '2026-11-27T10:00:00';
    const expected = parseLocalDateTime(text)!.getTime();
    expect(openingTime({ orderingOpensAt: text })).toBe(expected);
    expect(openingTime({ orderingOpensAt: text })).toBe(expected);
    expect(openingTime({ orderingOpensAt: '2026-11-27T10:00:01' })).toBe(expected + 1000);
  });

  it('an opening time that cannot be read means open', () => {
    expect(openingTime({ orderingOpensAt: '' })).toBe(0);
    expect(openingTime({ orderingOpensAt: 'next friday' })).toBe(0);
  });
});

describe('Catalog.productItems', () => {
  const TTL_MS = 200;
  const item = (id: string): ProductItemResponse => ({
    id,
    thumbnail: '',
    brandId: 1,
    brandName: 'brand',
    name: 'product',
    discount: 0,
    price: 1000,
    discountedPrice: 1000,
    orderingOpensAt: '2026-11-27T10:00:00',
    quantity: 10,
    purchaseLimit: 0,
  });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A product service that records each call; `refuse` answers a call with a gRPC error instead. */
  function catalogWith(refuse: (ids: string[]) => number | undefined = () => undefined, ttlMs = TTL_MS) {
    const calls: string[][] = [];
    const products = {
      GetProductItems: async ({ ids }: { ids: string[] }) => {
        calls.push(ids);
        await sleep(1);
        const code = refuse(ids);
        if (code !== undefined) throw Object.assign(new Error('refused'), { code, details: 'PRODUCT_NOT_FOUND' });
        return { products: ids.map((id) => item(id)) };
      },
    };
    const config = { productCacheMs: ttlMs } as OrderConfig;
    const catalog = new Catalog(
      config,
      products as unknown as GrpcClient<'ProductService'>,
      {} as GrpcClient<'BrandService'>,
    );
    return { catalog, calls };
  }

  it('asks again for the hot products of a sale in one call, not one call per product', async () => {
    const { catalog, calls } = catalogWith();
    const hot = Array.from({ length: 16 }, (_, i) => `hot-${i}`);
    const started = performance.now();
    // orders one product at a time, in turn over the sale's products, for 4 cache times
    for (let n = 0; performance.now() - started < 4 * TTL_MS; n++) {
      const id = hot[n % hot.length];
      expect((await catalog.productItems([id])).get(id)?.id).toBe(id);
      if (n % hot.length === hot.length - 1) await sleep(2);
    }
    // each entry on its own would expire and be asked for once per cache time: 16 calls for each
    // of the 4; together, about one call per cache time after the first round
    expect(calls.length).toBeLessThan(hot.length + 3 * 4);
    expect(calls.some((ids) => ids.length > 1)).toBe(true);
  });

  it('concurrent orders for the products of an expired wave wait for one call', async () => {
    const ttl = 1000;
    const { catalog, calls } = catalogWith(undefined, ttl);
    const hot = Array.from({ length: 16 }, (_, i) => `hot-${i}`);
    await Promise.all(hot.map((id) => catalog.productItems([id])));
    await sleep(ttl * 0.6);
    await Promise.all(hot.map((id) => catalog.productItems([id]))); // in demand, from the cache
    await sleep(ttl * 0.45); // every entry has expired
    const before = calls.length;

    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) => catalog.productItems([hot[n % hot.length]])),
    );

    answers.forEach((answer, n) => expect(answer.get(hot[n % hot.length])?.id).toBe(hot[n % hot.length]));
    expect(calls.slice(before).map((ids) => [...ids].sort())).toEqual([[...hot].sort()]);
  });

  it('a product gone since it was asked ahead does not fail the order of another', async () => {
    let deleted = false;
    const { catalog, calls } = catalogWith((ids) =>
      deleted && ids.includes('gone') ? GrpcStatus.INVALID_ARGUMENT : undefined,
    );
    await catalog.productItems(['gone']);
    await sleep(TTL_MS * 0.6);
    await catalog.productItems(['gone']); // still cached, asked for: in demand, past half its time
    deleted = true;

    const answer = await catalog.productItems(['other']);

    expect(answer.get('other')?.id).toBe('other');
    expect(calls.slice(1)).toEqual([['other', 'gone'], ['other']]);
  });

  it("an order waiting for another's call is not failed by a product gone in that one", async () => {
    const { catalog, calls } = catalogWith((ids) => (ids.includes('gone') ? GrpcStatus.INVALID_ARGUMENT : undefined));

    const [withGone, alone] = await Promise.allSettled([
      catalog.productItems(['gone', 'shared']),
      catalog.productItems(['shared']),
    ]);

    expect(withGone).toMatchObject({ status: 'rejected', reason: { status: 400 } });
    expect(alone).toMatchObject({ status: 'fulfilled' });
    expect((alone as PromiseFulfilledResult<Map<string, ProductItemResponse>>).value.get('shared')?.id).toBe('shared');
    expect(calls).toEqual([['gone', 'shared'], ['shared']]);
  });

  it('an unreachable product service is asked once, not again without the products asked for ahead', async () => {
    let down = false;
    const { catalog, calls } = catalogWith(() => (down ? GrpcStatus.UNAVAILABLE : undefined));
    await catalog.productItems(['hot']);
    await sleep(TTL_MS * 0.6);
    await catalog.productItems(['hot']);
    down = true;

    await expect(catalog.productItems(['other'])).rejects.toMatchObject({ status: 503 });
    expect(calls.slice(1)).toEqual([['other', 'hot']]);
  });
});
