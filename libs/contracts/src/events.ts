/** Kafka event payloads (JSON). Field names are the original's Java record components. */

/** productId → quantity */
export type ProductQuantityMap = Record<string, number>;

/** `address-events`: order → user, when the shopper asks to save the receiver as an address. */
export interface AddressSaveEvent {
  userId: number;
  isDefault: boolean;
  name: string;
  address: string;
  zipCode: string;
  phone: string;
}

/** `order-events` */
export interface OrderEvent {
  orderId: string;
  productQuantity: ProductQuantityMap;
}

/** `stock-check-failed-events`: product → order, when stock could not be decreased at payment. */
export interface StockCheckFailedEvent {
  orderId: string;
}

/** `payment-finalized-events`: payment → order. */
export interface PaymentFinalizedEvent {
  orderId: string;
  isSuccess: boolean;
}

/** `order-failed-events`: payment → product (restore stock). */
export type OrderFailedEvent = OrderEvent;

/** `order-cancelled-events`: order/cron → product (restore stock) and payment (refund). */
export type OrderCancelledEvent = OrderEvent;

/**
 * `stock-changed-events`: product → order, a seller changed a product's stock by `delta` units
 * (the event id header makes applying it idempotent).
 */
export interface StockChangedEvent {
  productId: string;
  delta: number;
}
