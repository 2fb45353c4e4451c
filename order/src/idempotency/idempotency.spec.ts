import { bodyHash, canonicalJson } from './idempotency';

describe('canonical request bodies', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('leaves undefined members out, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  it('gives one hash to the same body written differently, another to a different body', () => {
    const first = { products: [{ id: 'p', quantity: 1 }], shouldSaveNewAddress: false };
    const reordered = { shouldSaveNewAddress: false, products: [{ quantity: 1, id: 'p' }] };
    expect(bodyHash(reordered)).toBe(bodyHash(first));
    expect(bodyHash({ ...first, products: [{ id: 'p', quantity: 2 }] })).not.toBe(bodyHash(first));
    expect(bodyHash(first)).toMatch(/^[0-9a-f]{64}$/);
  });
});
