import { discountedPrice } from '../product/product.schema';
import { markField, movementId } from './stock-movement.schema';
import { isMarked, mergeItems } from './stock.service';

describe('stock movement rules', () => {
  it('add up repeated products of one order, in the order first named', () => {
    expect(
      mergeItems([
        { productId: 'b', quantity: 1 },
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { productId: 'b', quantity: 4 },
      { productId: 'a', quantity: 2 },
    ]);
  });

  it('give each order one decrease and one restore at most (the movement id is the kind and the order)', () => {
    expect(movementId('decrease', 'O-1')).toBe('decrease:O-1');
    expect(movementId('restore', 'O-1')).not.toBe(movementId('decrease', 'O-1'));
  });

  it("mark a product under a field its movement's id cannot break out of", () => {
    expect(markField('decrease:O-1')).toBe('stockMarks.decrease:O-1');
    // '.' would nest the field, a leading '$' is an operator: both escaped, and '%' so escapes stay unique
    expect(markField('decrease:a.b$c%d')).toBe('stockMarks.decrease:a%2eb%24c%25d');
    expect(markField('decrease:a%2eb')).not.toBe(markField('decrease:a.b'));
  });

  it('see whether a product read back carries a movement mark', () => {
    const mark = markField('decrease:O-1');
    expect(isMarked({ stockMarks: { 'decrease:O-1': '' } }, mark)).toBe(true);
    expect(isMarked({ stockMarks: { 'decrease:O-2': '' } }, mark)).toBe(false);
    expect(isMarked({}, mark)).toBe(false);
  });
});

describe('the discounted price', () => {
  it('is price × (100 − discount) / 100, rounded down as the original', () => {
    expect(discountedPrice({ price: 10_000, discount: 15 })).toBe(8500);
    expect(discountedPrice({ price: 999, discount: 33 })).toBe(669); // 669.33
    expect(discountedPrice({ price: 5000, discount: 0 })).toBe(5000);
  });
});
