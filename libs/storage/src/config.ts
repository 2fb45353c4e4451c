import { ConfigError, envInt, envString, envUrl } from '@runrun/common';
import { join } from 'node:path';
import { LocalDiskStorage } from './local-disk.storage';
import { S3Settings, S3Storage } from './s3.storage';
import type { FileStorage } from './storage';

type Env = Record<string, string | undefined>;

export interface StorageConfig {
  kind: 'local' | 's3';
  maxFileBytes: number;
  local: { directory: string; publicBaseUrl: string };
  s3: S3Settings;
}

/** STORAGE=local (default: FILES_DIR, served through the gateway) or s3 (S3_* settings). */
export function storageConfig(env: Env = process.env): StorageConfig {
  const kind = envString('STORAGE', 'local', env);
  if (kind !== 'local' && kind !== 's3') throw new ConfigError(`STORAGE must be local or s3, got "${kind}"`);
  const bucket = env.S3_BUCKET_NAME ?? '';
  const region = env.S3_REGION ?? 'ap-northeast-2';
  const endpoint = env.S3_ENDPOINT ? envUrl('S3_ENDPOINT', '', env).replace(/\/+$/, '') : undefined;
  // objects are stored path-style on another endpoint, so they are read back there too
  const bucketUrl = endpoint ? `${endpoint}/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`;
  return {
    kind,
    maxFileBytes: envInt('MAX_UPLOAD_BYTES', 5 * 1024 * 1024, env, 1),
    local: {
      directory: envString('FILES_DIR', join(__dirname, '..', '..', '..', '.local', 'files'), env),
      publicBaseUrl: envUrl('PUBLIC_FILES_URL', 'http://127.0.0.1:8080', env),
    },
    s3: {
      bucket: kind === 's3' ? envString('S3_BUCKET_NAME', undefined, env) : bucket,
      region,
      publicBaseUrl: kind === 's3' ? envUrl('S3_PUBLIC_URL', bucketUrl, env).replace(/\/+$/, '') : '',
      accessKeyId: env.S3_ACCESS_KEY,
      secretAccessKey: env.S3_SECRET_KEY,
      endpoint,
    },
  };
}

export function createStorage(config: StorageConfig): FileStorage {
  return config.kind === 's3'
    ? new S3Storage(config.s3)
    : new LocalDiskStorage(config.local.directory, config.local.publicBaseUrl);
}
