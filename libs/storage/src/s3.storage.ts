import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FileStorage } from './storage';

export interface S3Settings {
  bucket: string;
  region: string;
  /** Public base URL of the bucket (or its CDN), e.g. https://bucket.s3.ap-northeast-2.amazonaws.com */
  publicBaseUrl: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Another S3-compatible endpoint (MinIO, …). */
  endpoint?: string;
}

/** Files in an S3 bucket, as the original (ap-northeast-2). */
export class S3Storage implements FileStorage {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: Boolean(settings.endpoint),
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  url(key: string): string {
    return `${this.settings.publicBaseUrl}/${key}`;
  }
}
