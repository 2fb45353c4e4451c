import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ROOT, RunningService, startService, wiringEnv } from '@runrun/launcher';
import { brandForm, multipart, PNG, productForm } from '@runrun/testkit';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TEST_ENV, TEST_LOG_DIR } from './env';

/** The S3-compatible server infra/local.sh runs (moto), on the address the services are given. */
const S3_ENDPOINT = 'http://127.0.0.1:9000';
const S3_KEYS = { S3_ACCESS_KEY: 'runrun-test', S3_SECRET_KEY: 'runrun-test-secret' };

/** The storage settings of the Kubernetes production overlay (its ConfigMap over the base's). */
function kubernetesStorageEnv(): Record<string, string> {
  const data = (file: string) =>
    (parse(readFileSync(join(ROOT, 'kubernetes', file), 'utf8')) as { data: Record<string, string> }).data;
  const config = { ...data('base/config.yaml'), ...data('overlays/production/config.yaml') };
  return Object.fromEntries(Object.entries(config).filter(([name]) => name === 'STORAGE' || name.startsWith('S3_')));
}

const publicReadPolicy = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ],
});

/**
 * Uploaded images on a real S3 server: a brand and a product service of their own (ports +22000,
 * their own databases and Kafka group) configured for S3 as in Kubernetes, with only the endpoint
 * and keys pointing at the local server. Through their HTTP APIs: images are stored, served at the
 * URL the API answers, replaced (the old object is gone) and deleted with the product.
 */
describe('images on S3', () => {
  // below the ephemeral port range (32768 and up), where a client connection may hold the port
  const OFFSET = 22_000;
  const storage = kubernetesStorageEnv();
  const bucket = storage.S3_BUCKET_NAME;
  const s3 = new S3Client({
    region: storage.S3_REGION,
    endpoint: S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEYS.S3_ACCESS_KEY, secretAccessKey: S3_KEYS.S3_SECRET_KEY },
  });
  const services: RunningService[] = [];
  // the gateway's identity headers, as it sends them for a signed-in seller
  const seller = { 'x-user-id': String(900_000_000 + Math.floor(Math.random() * 1_000_000)), 'x-user-role': 'SELLER' };
  const brandUrl = (path: string) => `http://127.0.0.1:${8082 + OFFSET}${path}`;
  const productUrl = (path: string) => `http://127.0.0.1:${8083 + OFFSET}${path}`;

  /** A distinct PNG each time (the services recognise images by their first bytes). */
  const image = () => Buffer.concat([PNG, randomBytes(64)]);
  const keyOf = (url: string) => new URL(url).pathname.replace(`/${bucket}/`, '');
  const exists = async (url: string) => {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(url) }));
      return true;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
      throw error;
    }
  };
  const served = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };
  const send = async (url: string, method: string, body?: FormData) => {
    const res = await fetch(url, { method, headers: seller, body });
    if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  beforeAll(async () => {
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: storage.S3_REGION as 'ap-northeast-2' },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
    // objects are private by default: the operator lets anyone read them (kubernetes/README.md)
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(publicReadPolicy(bucket)) }));
    const env = {
      ...TEST_ENV,
      ...wiringEnv(OFFSET),
      ...storage,
      ...S3_KEYS,
      S3_ENDPOINT,
      DB_NAME: 'runrun_test_s3_brand',
      MONGO_URL: 'mongodb://127.0.0.1:27017/runrun_test_s3_product',
      KAFKA_GROUP_PREFIX: 'test-s3-',
    };
    for (const name of ['brand', 'product']) {
      services.push(
        await startService(name, { portOffset: OFFSET, instance: `${name}-s3`, logDir: TEST_LOG_DIR, env }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    s3.destroy();
  });

  it('runs as the Kubernetes config says: STORAGE=s3 on the production bucket', () => {
    expect(storage).toMatchObject({ STORAGE: 's3', S3_BUCKET_NAME: 'runrun-images', S3_REGION: 'ap-northeast-2' });
  });

  it('stores a brand image, serves it at the URL the API answers, and replaces it', async () => {
    const first = image();
    const { id } = await send(
      brandUrl('/brands'),
      'POST',
      multipart(brandForm({ name: 'S3 brand' }), { image: first }),
    );
    const created = (await send(brandUrl(`/brands/${id}`), 'GET')) as { thumbnail: string };
    expect(created.thumbnail.startsWith(`${S3_ENDPOINT}/${bucket}/BRAND/`)).toBe(true);
    expect(await served(created.thumbnail)).toEqual({ status: 200, type: 'image/png', body: first });

    const second = image();
    const { registrationNumber: _, ...update } = brandForm({ name: 'S3 brand' });
    await send(brandUrl(`/brands/${id}`), 'PUT', multipart(update, { image: second }));
    const updated = (await send(brandUrl(`/brands/${id}`), 'GET')) as { thumbnail: string };
    expect(updated.thumbnail).not.toBe(created.thumbnail);
    expect((await served(updated.thumbnail)).body).toEqual(second);
    expect(await exists(created.thumbnail)).toBe(false);
    expect((await served(created.thumbnail)).status).toBe(404);
  });

  it('stores product images, replaces one, and removes both with the product', async () => {
    const { id: brandId } = await send(
      brandUrl('/brands'),
      'POST',
      multipart(brandForm({ name: 'S3 products' }), { image: image() }),
    );
    const [thumbnail, description] = [image(), image()];
    const { id } = await send(
      productUrl('/products'),
      'POST',
      multipart(productForm(brandId as number), { thumbnail, descriptionImage: description }),
    );
    type Paths = { thumbnailPath: string; descriptionImagePath: string };
    const created = (await send(productUrl(`/products/${id}`), 'GET')) as Paths;
    expect((await served(created.thumbnailPath)).body).toEqual(thumbnail);
    expect((await served(created.descriptionImagePath)).body).toEqual(description);

    // a new thumbnail only: the description image stays
    const newThumbnail = image();
    const { brandId: _, ...update } = productForm(brandId as number, { name: 'S3 tee' });
    await send(productUrl(`/products/${id}`), 'PUT', multipart(update, { thumbnail: newThumbnail }));
    const updated = (await send(productUrl(`/products/${id}`), 'GET')) as Paths;
    expect(updated.descriptionImagePath).toBe(created.descriptionImagePath);
    expect((await served(updated.thumbnailPath)).body).toEqual(newThumbnail);
    expect(await exists(created.thumbnailPath)).toBe(false);

    await send(productUrl(`/products/${id}`), 'DELETE');
    expect(await exists(updated.thumbnailPath)).toBe(false);
    expect(await exists(updated.descriptionImagePath)).toBe(false);
    expect((await served(updated.descriptionImagePath)).status).toBe(404);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyOf(updated.thumbnailPath) }));
    expect(left.KeyCount).toBe(0);
  });
});
