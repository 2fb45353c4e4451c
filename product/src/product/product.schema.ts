import { Connection, HydratedDocument, InferSchemaType, Model, Schema } from 'mongoose';

/** Collection `products`, field names as the original's documents. */
export const productSchema = new Schema(
  {
    thumbnailPath: { type: String, default: '' },
    bodyImagePath: { type: String, default: '' },
    price: { type: Number, required: true },
    discount: { type: Number, default: 0 },
    name: { type: String, required: true },
    productInfo: {
      manufacturer: String,
      countryOfManufacture: String,
      contact: String,
    },
    /** Authoritative stock: changed only by conditional updates. */
    quantity: { type: Number, required: true, min: 0 },
    /** Marks of the stock movements that changed `quantity`, by key (see stock-movement.schema.ts). */
    stockMarks: { type: Schema.Types.Mixed, select: false },
    deliveryFee: { type: Number, default: 0 },
    categories: [{ _id: false, id: String, name: String }],
    likes: { type: [Number], default: [] },
    productBrand: {
      type: new Schema(
        { id: { type: Number, required: true }, name: { type: String, required: true } },
        { _id: false },
      ),
      required: true,
    },
    userId: { type: Number, required: true },
    isDeleted: { type: Boolean, default: false },
    orderingOpensAt: { type: Date, default: () => new Date() },
    isSpecial: { type: Boolean, default: false },
    /** Units one shopper may hold at once (enforced by order's reservation); null = unlimited. */
    purchaseLimit: { type: Number, default: null, min: 1 },
  },
  { collection: 'products', timestamps: true, versionKey: false },
);

export type Product = InferSchemaType<typeof productSchema>;
export type ProductDocument = HydratedDocument<Product>;
export type ProductModel = Model<Product>;

export const PRODUCT_MODEL = Symbol('PRODUCT_MODEL');
export const productModel = (connection: Connection): ProductModel => connection.model('Product', productSchema);

/** discountedPrice = floor(price × (100 − discount) / 100), integer arithmetic as the original. */
export const discountedPrice = (p: Pick<Product, 'price' | 'discount'>): number =>
  Math.floor((p.price * (100 - p.discount)) / 100);
