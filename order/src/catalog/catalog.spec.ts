import { parseLocalDateTime } from '@runrun/common';
import { openingTime } from './catalog';

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
