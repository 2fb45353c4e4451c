import { Connection, Model, Schema } from 'mongoose';

/**
 * One row per order and kind: the authoritative record that an order's stock was taken
 * (`decrease`, at payment) or given back (`restore`, when a paid order fails or is cancelled).
 * Its `_id` is `<kind>:<orderId>`, which makes both operations happen at most once per order. A
 * failed decrease also leaves a row in the outbox (`outbox_events`) until the relay has published
 * stock-check-failed.
 *
 * While `applying`, each product the movement changed carries its mark (`stockMarks.<id>`), set in
 * the same update as the quantity: whoever finishes a movement its applier left (a crash, a store
 * away) sees exactly which products it changed, so completing or rolling it back is exact. Marks
 * of decided movements mean nothing more and are cleared by a later update of the product.
 */
export const movementId = (kind: MovementKind, orderId: string) => `${kind}:${orderId}`;
export type MovementKind = 'decrease' | 'restore';
/** The movement's field under `stockMarks` (a field name can hold neither '.' nor a leading '$'). */
export const markField = (id: string) =>
  `stockMarks.${id.replace(/[.$%]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`;

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
  kind: MovementKind;
  items: { productId: string; quantity: number }[];
  state: 'applying' | 'applied' | 'failed';
  updatedAt?: Date;
}
export type StockMovementModel = Model<StockMovement>;
export const STOCK_MOVEMENT_MODEL = Symbol('STOCK_MOVEMENT_MODEL');
export const stockMovementModel = (connection: Connection): StockMovementModel =>
  connection.model<StockMovement>('StockMovement', stockMovementSchema);

/**
 * Movements being applied, kept small (a row leaves once its movement is decided and recorded):
 * FerretDB scans a collection for every lookup, so what is read and written under the stock lock
 * lives here rather than among every movement ever made. `attempt` names the call applying it (a
 * call that takes a stuck movement over replaces it, and the call it replaced changes nothing
 * more); `state`, once set, is the decision not yet copied to `stock_movements`. A row still here
 * after `checkAfter` was left by a call that died or failed half way: recovery finishes it.
 */
export const openMovementSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String },
    kind: { type: String, enum: ['decrease', 'restore'] },
    items: { type: [{ _id: false, productId: String, quantity: Number }], default: undefined },
    attempt: { type: String },
    state: { type: String, enum: ['applied', 'failed'] },
    checkAfter: { type: Date, required: true },
  },
  { collection: 'stock_movements_open', versionKey: false },
);
export interface OpenMovement {
  _id: string;
  /** Absent on a row marking a movement found applying without one (written before rows existed). */
  orderId?: string;
  kind?: MovementKind;
  items?: { productId: string; quantity: number }[];
  attempt?: string;
  state?: 'applied' | 'failed';
  checkAfter: Date;
}
export type OpenMovementModel = Model<OpenMovement>;
export const OPEN_MOVEMENT_MODEL = Symbol('OPEN_MOVEMENT_MODEL');
export const openMovementModel = (connection: Connection): OpenMovementModel =>
  connection.model<OpenMovement>('OpenStockMovement', openMovementSchema);
