import { Connection, Model, Schema } from 'mongoose';

/**
 * One row per order and kind: the authoritative record that an order's stock was taken
 * (`decrease`, at payment) or given back (`restore`, when a paid order fails or is cancelled).
 * Its `_id` is `<kind>:<orderId>`, which makes both operations happen at most once per order (and
 * keeps every lookup on `_id`, the one FerretDB serves from its index). A failed decrease also
 * leaves a row in `stock_event_outbox` until the relay has published stock-check-failed.
 */
export const movementId = (kind: 'decrease' | 'restore', orderId: string) => `${kind}:${orderId}`;

export const stockMovementSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    kind: { type: String, enum: ['decrease', 'restore'], required: true },
    items: [{ _id: false, productId: String, quantity: Number }],
    state: { type: String, enum: ['applying', 'applied', 'failed'], required: true },
  },
  { collection: 'stock_movements', timestamps: true, versionKey: false },
);

export interface StockMovement {
  _id: string;
  orderId: string;
  kind: 'decrease' | 'restore';
  items: { productId: string; quantity: number }[];
  state: 'applying' | 'applied' | 'failed';
}
export type StockMovementModel = Model<StockMovement>;
export const STOCK_MOVEMENT_MODEL = Symbol('STOCK_MOVEMENT_MODEL');
export const stockMovementModel = (connection: Connection): StockMovementModel =>
  connection.model<StockMovement>('StockMovement', stockMovementSchema);

/**
 * Events to publish (an outbox kept small: rows leave once published, so the relay's scan stays
 * cheap). `_id` is the order id: one stock-check-failed per order. A row that fails on its own
 * counts `attempts`, waits until `nextAttemptAt`, and is parked (`failedAt`, `lastError`) when it
 * can never be published.
 */
export const stockEventOutboxSchema = new Schema(
  {
    _id: { type: String, required: true },
    attempts: { type: Number },
    nextAttemptAt: { type: Date },
    failedAt: { type: Date },
    lastError: { type: String },
  },
  { collection: 'stock_event_outbox', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
export interface StockEventOutboxRow {
  _id: string;
  attempts?: number;
  nextAttemptAt?: Date;
  failedAt?: Date;
  lastError?: string;
}
export type StockEventOutboxModel = Model<StockEventOutboxRow>;
export const STOCK_EVENT_OUTBOX_MODEL = Symbol('STOCK_EVENT_OUTBOX_MODEL');
export const stockEventOutboxModel = (connection: Connection): StockEventOutboxModel =>
  connection.model<StockEventOutboxRow>('StockEventOutbox', stockEventOutboxSchema);
