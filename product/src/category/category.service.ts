import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CATEGORY_MODEL, Category, CategoryModel } from './category.schema';

/** The default tree, written when the collection is empty (the original seeded it by hand). */
const DEFAULT_TREE: { id: string; name: string; children: { id: string; name: string }[] }[] = [
  {
    id: '66ba11c4ab906f11f7ff0001',
    name: '상의',
    children: [
      { id: '66ba11c4ab906f11f7ff0002', name: '티셔츠' },
      { id: '66ba11c4ab906f11f7ff0003', name: '셔츠' },
    ],
  },
  { id: '66ba11c4ab906f11f7ff0004', name: '하의', children: [{ id: '66ba11c4ab906f11f7ff0005', name: '청바지' }] },
  { id: '66ba11c4ab906f11f7ff0006', name: '신발', children: [{ id: '66ba11c4ab906f11f7ff0007', name: '운동화' }] },
];

const MAX_DEPTH = 10;

@Injectable()
export class CategoryService implements OnModuleInit {
  constructor(@Inject(CATEGORY_MODEL) private readonly categories: CategoryModel) {}

  async onModuleInit(): Promise<void> {
    if ((await this.categories.estimatedDocumentCount()) > 0) return;
    const docs: Category[] = DEFAULT_TREE.flatMap((top) => [
      { _id: top.id, name: top.name, children: top.children, parentId: null },
      ...top.children.map((c) => ({ _id: c.id, name: c.name, children: [], parentId: top.id })),
    ]);
    // two replicas starting at once may both try: duplicates are fine to ignore
    await this.categories.insertMany(docs, { ordered: false }).catch(() => undefined);
  }

  /**
   * The category followed by its ancestors, by walking `parentId` with one find per level (the
   * original used $graphLookup, which FerretDB lacks). Undefined for an unknown id.
   */
  async withAncestors(categoryId: string): Promise<{ id: string; name: string }[] | undefined> {
    const path: { id: string; name: string }[] = [];
    let id: string | null = categoryId;
    while (id && path.length < MAX_DEPTH) {
      const category: Category | null = await this.categories.findById(id).lean<Category>().exec();
      if (!category) break;
      path.push({ id: category._id, name: category.name });
      id = category.parentId;
    }
    return path.length ? path : undefined;
  }
}
