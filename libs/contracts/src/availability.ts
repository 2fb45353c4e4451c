/**
 * Product availability, broadcast by the order replicas to the gateways over Redis pub/sub, so a
 * sold-out crowd is answered at the door without a hop. A flag carries its lifetime: a lost
 * "available" message can refuse orders for at most that long.
 */
export const AVAILABILITY_CHANNEL = 'order:availability';

export type AvailabilityMessage =
  /** no unit left to reserve (the counter is at zero), or the product's breaker is open */
  | { productId: string; state: 'sold-out' | 'unavailable'; ttlMs: number }
  /** units came back (a release, a restock) or the breaker half-opened or closed */
  | { productId: string; state: 'available' };

/** What the order service answers in each refusing state; the gateway answers the same. */
export const REFUSALS = {
  'sold-out': { status: 409, code: 'STOCK_SHORTAGE', message: 'Order failed due to insufficient stock' },
  unavailable: {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'Service is temporarily unavailable. Please try again later.',
  },
} as const;

/** The message, checked; undefined when it is not one (a gateway ignores it). */
export function parseAvailability(text: string): AvailabilityMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<{ productId: unknown; state: unknown; ttlMs: unknown }>;
  if (typeof m?.productId !== 'string' || !m.productId) return undefined;
  if (m.state === 'available') return { productId: m.productId, state: 'available' };
  if (
    (m.state === 'sold-out' || m.state === 'unavailable') &&
    Number.isSafeInteger(m.ttlMs) &&
    (m.ttlMs as number) > 0
  ) {
    return { productId: m.productId, state: m.state, ttlMs: m.ttlMs as number };
  }
  return undefined;
}
