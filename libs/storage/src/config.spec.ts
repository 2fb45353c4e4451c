import { storageConfig } from './config';

describe('storageConfig (S3)', () => {
  const s3 = { STORAGE: 's3', S3_BUCKET_NAME: 'runrun-images' };

  it('serves from the bucket on AWS by default', () => {
    expect(storageConfig(s3).s3.publicBaseUrl).toBe('https://runrun-images.s3.ap-northeast-2.amazonaws.com');
  });

  it('serves from the endpoint the objects are stored on (path style)', () => {
    const config = storageConfig({ ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000/' });
    expect(config.s3).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      publicBaseUrl: 'http://127.0.0.1:9000/runrun-images',
    });
  });

  it('serves from S3_PUBLIC_URL (a CDN) when it is set', () => {
    const config = storageConfig({
      ...s3,
      S3_ENDPOINT: 'http://s3.internal',
      S3_PUBLIC_URL: 'https://cdn.example.com/',
    });
    expect(config.s3.publicBaseUrl).toBe('https://cdn.example.com');
  });
});
