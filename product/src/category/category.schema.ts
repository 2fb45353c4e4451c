import { Connection, Model, Schema } from 'mongoose';

/** Collection `categories`, as the original: a tree through `parentId`, `_id` a string. */
export const categorySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    children: [{ _id: false, id: String, name: String }],
    parentId: { type: String, default: null },
  },
  { collection: 'categories', versionKey: false },
);

export interface Category {
  _id: string;
  name: string;
  children: { id: string; name: string }[];
  parentId: string | null;
}
export type CategoryModel = Model<Category>;
export const CATEGORY_MODEL = Symbol('CATEGORY_MODEL');
export const categoryModel = (connection: Connection): CategoryModel =>
  connection.model<Category>('Category', categorySchema);
