import type { INestApplicationContext } from '@nestjs/common';
import {
  dropMysqlDatabase,
  freshMysqlDatabase,
  mysqlRows,
  quietLogger,
  startServiceModule,
  withProviders,
} from '@runrun/testkit';
import { AppModule } from '../src/app.module';
import { BrandGrpcServer } from '../src/brand/brand.grpc';
import { BRAND_LIMIT, BrandService } from '../src/brand/brand.service';
import { loadConfig } from '../src/config';

/** The brand service alone, on a MySQL database of its own. */
const DATABASE = 'runrun_svc_brand';

let app: INestApplicationContext;
let brands: BrandService;
const form = (name: string) => ({
  name,
  legalName: `${name} Inc.`,
  registrationNumber: '123-45-67890',
  deliveryFee: 3000,
  freeDeliveryInfimum: 50_000,
});

beforeAll(async () => {
  await freshMysqlDatabase(DATABASE);
  const defaults = loadConfig();
  const config = { ...defaults, db: { ...defaults.db, database: DATABASE } };
  app = await startServiceModule(
    withProviders(AppModule.register(config, quietLogger('brand')), [[BrandGrpcServer, undefined]]),
  );
  brands = app.get(BrandService);
});

afterAll(async () => {
  await app?.close();
  await dropMysqlDatabase(DATABASE);
});

describe('the brand service on its own database', () => {
  it(`lets a seller own ${BRAND_LIMIT} brands, also when they create many at once`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: BRAND_LIMIT + 3 }, (_, i) => brands.create(11, form(`brand ${i}`))),
    );
    const refusals = results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code);
    expect(refusals).toEqual(['BRAND_LIMIT_OVER', 'BRAND_LIMIT_OVER', 'BRAND_LIMIT_OVER']);
    expect(await mysqlRows(DATABASE, 'SELECT COUNT(*) AS n FROM brands WHERE user_id = 11')).toEqual([
      { n: BRAND_LIMIT },
    ]);

    // another seller's limit is their own
    await expect(brands.create(12, form('other'))).resolves.toEqual({ id: expect.any(Number) });
  });

  it('lets only the owner change a brand', async () => {
    const { id } = await brands.create(13, form('mine'));
    const change = { ...form('renamed'), deliveryFee: 0 };
    await expect(brands.update(14, id, change)).rejects.toMatchObject({ code: 'NOT_BRAND_OWNER' });
    expect(await brands.get(id)).toMatchObject({ name: 'mine', deliveryFee: 3000 });

    await brands.update(13, id, change);
    const [row] = await mysqlRows(DATABASE, 'SELECT name, delivery_fee, user_id FROM brands WHERE id = ?', [id]);
    expect(row).toEqual({ name: 'renamed', delivery_fee: 0, user_id: 13 });
    await expect(brands.update(13, id + 1000, change)).rejects.toMatchObject({ code: 'BRAND_NOT_FOUND' });
  });
});
