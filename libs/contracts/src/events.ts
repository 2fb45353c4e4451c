import { Topics } from './topics';

/**
 * Kafka event payloads (JSON), one class per event. Field names are the original's Java record
 * components. Producers write them as plain objects; consumers get them through `parseEvent`
 * (the Kafka bus calls it on arrival), so a handler only ever sees a well-formed event, and a
 * malformed message is parked once instead of being re-checked by hand in every consumer.
 */

/** A message that can never be read as its topic's event: consumers park it at once. */
export class MalformedEventError extends Error {}

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedEventError('not a JSON object');
  }
  return value as Fields;
};
const text = (o: Fields, name: string): string => {
  const value = o[name];
  if (typeof value !== 'string' || !value) throw new MalformedEventError(`${name} must be a non-empty string`);
  return value;
};
const integer = (o: Fields, name: string, min = Number.MIN_SAFE_INTEGER): number => {
  const value = o[name];
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new MalformedEventError(`${name} must be an integer >= ${min}`);
  }
  return value as number;
};
const flag = (o: Fields, name: string): boolean => {
  const value = o[name];
  if (typeof value !== 'boolean') throw new MalformedEventError(`${name} must be true or false`);
  return value;
};
const quantities = (o: Fields, name: string): ProductQuantityMap => {
  const map = o[name];
  const entries = typeof map === 'object' && map !== null && !Array.isArray(map) ? Object.entries(map) : [];
  if (!entries.length || !entries.every(([id, n]) => id && Number.isSafeInteger(n) && (n as number) > 0)) {
    throw new MalformedEventError(`${name} must map product ids to positive quantities`);
  }
  return Object.fromEntries(entries) as ProductQuantityMap;
};

/** productId → quantity */
export type ProductQuantityMap = Record<string, number>;

/** `address-events`: order → user, when the shopper asks to save the receiver as an address. */
export class AddressSaveEvent {
  userId!: number;
  isDefault!: boolean;
  name!: string;
  address!: string;
  zipCode!: string;
  phone!: string;

  static parse(value: unknown): AddressSaveEvent {
    const o = fieldsOf(value);
    return Object.assign(new AddressSaveEvent(), {
      userId: integer(o, 'userId', 1),
      isDefault: flag(o, 'isDefault'),
      name: text(o, 'name'),
      address: text(o, 'address'),
      zipCode: text(o, 'zipCode'),
      phone: text(o, 'phone'),
    });
  }
}

/** `order-events`, `order-failed-events` (payment → product: restore stock) and `order-cancelled-events` (order/cron → product: restore stock, payment: refund). */
export class OrderEvent {
  orderId!: string;
  productQuantity!: ProductQuantityMap;

  static parse(value: unknown): OrderEvent {
    const o = fieldsOf(value);
    return Object.assign(new OrderEvent(), {
      orderId: text(o, 'orderId'),
      productQuantity: quantities(o, 'productQuantity'),
    });
  }
}
export type OrderFailedEvent = OrderEvent;
export type OrderCancelledEvent = OrderEvent;

/** `stock-check-failed-events`: product → order, when stock could not be decreased at payment. */
export class StockCheckFailedEvent {
  orderId!: string;

  static parse(value: unknown): StockCheckFailedEvent {
    return Object.assign(new StockCheckFailedEvent(), { orderId: text(fieldsOf(value), 'orderId') });
  }
}

/** `payment-finalized-events`: payment → order. */
export class PaymentFinalizedEvent {
  orderId!: string;
  isSuccess!: boolean;

  static parse(value: unknown): PaymentFinalizedEvent {
    const o = fieldsOf(value);
    return Object.assign(new PaymentFinalizedEvent(), { orderId: text(o, 'orderId'), isSuccess: flag(o, 'isSuccess') });
  }
}

/**
 * `stock-changed-events`: product → order, a seller changed a product's stock by `delta` units
 * (the event id header makes applying it idempotent).
 */
export class StockChangedEvent {
  productId!: string;
  delta!: number;

  static parse(value: unknown): StockChangedEvent {
    const o = fieldsOf(value);
    return Object.assign(new StockChangedEvent(), { productId: text(o, 'productId'), delta: integer(o, 'delta') });
  }
}

/** The event class of each topic. */
export const EVENT_TYPES: Record<string, { parse(value: unknown): object }> = {
  [Topics.ADDRESS]: AddressSaveEvent,
  [Topics.ORDER]: OrderEvent,
  [Topics.ORDER_FAILED]: OrderEvent,
  [Topics.ORDER_CANCELLED]: OrderEvent,
  [Topics.STOCK_CHECK_FAILED]: StockCheckFailedEvent,
  [Topics.PAYMENT_FINALIZED]: PaymentFinalizedEvent,
  [Topics.STOCK_CHANGED]: StockChangedEvent,
};

/**
 * The event a message of `topic` carries, checked against its class; MalformedEventError when it
 * is not one. A topic without a class (a dead-letter topic, whose messages are kept as they came)
 * is passed through as it is.
 */
export function parseEvent(topic: string, value: unknown): unknown {
  const type = EVENT_TYPES[topic];
  return type ? type.parse(value) : value;
}
