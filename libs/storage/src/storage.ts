import { randomUUID } from 'node:crypto';

/** Where uploaded images live. Keys look like `BRAND/2024-09-01/<uuid><time>.jpg`, as the original's. */
export interface FileStorage {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** The URL a browser loads the file from. */
  url(key: string): string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `<PREFIX>/<yyyy-MM-dd>/<uuid without dashes><yyyyMMddHHmmssSSS><ext>` (UTC). */
export function storageKey(prefix: 'BRAND' | 'PRODUCT', extension: string, now = new Date()): string {
  const d = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`;
  const t =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}${pad(now.getUTCMilliseconds(), 3)}`;
  return `${prefix}/${d}/${randomUUID().replace(/-/g, '')}${t}${extension}`;
}

/** Injection token of the service's FileStorage. */
export const FILE_STORAGE = Symbol('FILE_STORAGE');
