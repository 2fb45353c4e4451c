import { SoldOutFlags } from './sold-out-flags';
import { productIds } from './sold-out-gate';

describe('sold-out flags at the gateway', () => {
  let now = 1_000;
  const flags = () => new SoldOutFlags(() => now);
  const message = (productId: string, state: string, ttlMs?: number) => JSON.stringify({ productId, state, ttlMs });

  it('a flag refuses its product until it expires; other products are not refused', () => {
    const f = flags();
    expect(f.empty).toBe(true);
    f.apply(message('a', 'sold-out', 500));
    expect(f.empty).toBe(false);
    expect(f.refusalFor(['a'])).toBe('sold-out');
    expect(f.refusalFor(['b', 'a'])).toBe('sold-out'); // an order naming it is refused whole
    expect(f.refusalFor(['b'])).toBeUndefined();
    now += 499;
    expect(f.refusalFor(['a'])).toBe('sold-out');
    now += 1;
    expect(f.refusalFor(['a'])).toBeUndefined(); // expired: a lost "available" refuses no longer
    expect(f.empty).toBe(true);
  });

  it('a flag nobody asks about any more is dropped when it expires: bodies are no longer read', () => {
    const f = flags();
    f.apply(message('c', 'unavailable', 100));
    expect(f.empty).toBe(false);
    now += 100;
    expect(f.empty).toBe(true);
  });

  it('"available" clears a flag at once; an open breaker wins over sold out', () => {
    const f = flags();
    f.apply(message('a', 'sold-out', 5000));
    f.apply(message('b', 'unavailable', 5000));
    expect(f.refusalFor(['a', 'b'])).toBe('unavailable');
    f.apply(message('b', 'available'));
    expect(f.refusalFor(['a', 'b'])).toBe('sold-out');
    f.apply(message('a', 'available'));
    expect(f.refusalFor(['a', 'b'])).toBeUndefined();
  });

  it('messages that are not availability messages change nothing', () => {
    const f = flags();
    for (const text of [
      'not json',
      '{}',
      message('', 'sold-out', 10),
      message('a', 'sold-out'),
      message('a', 'gone', 10),
    ])
      f.apply(text);
    expect(f.empty).toBe(true);
  });

  it('reads the product ids of an order body, and none of anything else', () => {
    const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    expect(productIds(body({ products: [{ id: 'a', quantity: 1 }, { id: 'b' }, { id: 3 }, null] }))).toEqual([
      'a',
      'b',
    ]);
    expect(productIds(body('{"products":'))).toEqual([]);
    expect(productIds(body({ products: 'a' }))).toEqual([]);
    expect(productIds(body('null'))).toEqual([]);
  });
});
