import { Connection, Model, Schema } from 'mongoose';

/**
 * One row per order and kind: the authoritative record that an order's stock was taken
 * (`decrease`, at payment) or given back (`restore`, when a paid order fails or is cancelled).
 * Unique per (orderId, kind), which makes both operations happen at most once per order. A failed
 * decrease carries `eventPending` until the relay has published stock-check-failed (outbox).
 */
export const stockMovementSchema = new Schema(
  {
    orderId: { type: String, required: true },
    kind: { type: String, enum: ['decrease', 'restore'], required: true },
    items: [{ _id: false, productId: String, quantity: Number }],
    state: { type: String, enum: ['applying', 'applied', 'failed'], required: true },
    eventPending: { type: Boolean, default: false },
  },
  { collection: 'stock_movements', timestamps: true, versionKey: false },
);
stockMovementSchema.index({ orderId: 1, kind: 1 }, { unique: true });
stockMovementSchema.index({ eventPending: 1 });

export interface StockMovement {
  orderId: string;
  kind: 'decrease' | 'restore';
  items: { productId: string; quantity: number }[];
  state: 'applying' | 'applied' | 'failed';
  eventPending: boolean;
}
export type StockMovementModel = Model<StockMovement>;
export const STOCK_MOVEMENT_MODEL = Symbol('STOCK_MOVEMENT_MODEL');
export const stockMovementModel = (connection: Connection): StockMovementModel =>
  connection.model<StockMovement>('StockMovement', stockMovementSchema);
