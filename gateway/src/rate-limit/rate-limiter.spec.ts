import { RateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('lets `perSecond` requests per client through in one second, then refuses', () => {
    const limiter = new RateLimiter(3);
    const t = 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a', t))).toEqual([true, true, true, false]);
    expect(limiter.take('b', t)).toBe(true);
    expect(limiter.take('a', t + 1000)).toBe(true);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    expect(Array.from({ length: 100 }, () => limiter.take('a')).every(Boolean)).toBe(true);
  });
});
