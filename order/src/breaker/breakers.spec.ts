import { metricsRegistry } from '@runrun/common';
import type { ProductAvailability } from '../availability/product-availability';
import type { OrderConfig } from '../config';
import { ProductBreakers } from './breakers';

/** What the breakers told the gateways, in order. */
let told: string[] = [];
const availability = {
  unavailable: (id: string, ttlMs: number) => told.push(`unavailable ${id} ${ttlMs}`),
  available: (ids: string[]) => told.push(...ids.map((id) => `available ${id}`)),
} as unknown as ProductAvailability;

const settle = () => new Promise((resolve) => setImmediate(resolve));
const breakersWith = (breaker: Partial<OrderConfig['breaker']> = {}) => {
  metricsRegistry.removeSingleMetric('order_breakers_open'); // each instance registers its gauge
  told = [];
  return new ProductBreakers(
    {
      breaker: {
        volumeThreshold: 5,
        errorThresholdPercentage: 10,
        resetTimeoutMs: 60_000,
        rollingWindowMs: 10_000,
        ...breaker,
      },
    } as OrderConfig,
    availability,
  );
};

describe('product breakers', () => {
  it('open for a product that keeps selling out once enough orders were seen, and for it alone', async () => {
    const breakers = breakersWith();
    for (let i = 0; i < 4; i++) breakers.record('sold-out', true);
    await settle();
    expect(breakers.allow(['sold-out'])).toBe(true); // under the minimum number of calls
    breakers.record('sold-out', true);
    await settle();
    expect(breakers.allow(['sold-out'])).toBe(false);
    expect(breakers.allow(['other', 'sold-out'])).toBe(false); // an order naming it is refused whole
    expect(breakers.allow(['other'])).toBe(true);
  });

  it('stay closed while failures stay under the rate', async () => {
    const breakers = breakersWith();
    for (let i = 0; i < 19; i++) breakers.record('p', false);
    breakers.record('p', true); // 1 of 20 = 5 % < 10 %
    await settle();
    expect(breakers.allow(['p'])).toBe(true);
  });

  it('close at once when the product is restocked', async () => {
    const breakers = breakersWith({ volumeThreshold: 1 });
    breakers.record('p', true);
    await settle();
    expect(breakers.allow(['p'])).toBe(false);
    breakers.reset('p');
    expect(breakers.allow(['p'])).toBe(true);
  });

  it('let an order through after the open time, and close when it succeeds', async () => {
    const breakers = breakersWith({ volumeThreshold: 1, resetTimeoutMs: 50 });
    breakers.record('p', true);
    await settle();
    expect(breakers.allow(['p'])).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(breakers.allow(['p'])).toBe(true); // half-open: one goes through
    breakers.record('p', false);
    await settle();
    expect(breakers.allow(['p'])).toBe(true);
  });

  it('tell the gateways when a breaker opens (for its open time) and when it lets orders through again', async () => {
    const breakers = breakersWith({ resetTimeoutMs: 50 });
    for (let i = 0; i < 5; i++) breakers.record('p', true);
    await settle();
    expect(told).toEqual(['unavailable p 50']);
    await new Promise((r) => setTimeout(r, 80));
    expect(breakers.allow(['p'])).toBe(true); // half-open: one order goes through
    breakers.record('p', false);
    await settle();
    expect(told).toEqual(['unavailable p 50', 'available p', 'available p']); // half-open, then closed
  });
});
