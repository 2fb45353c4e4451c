import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorBody } from '@runrun/common';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { LocalDiskStorage } from './local-disk.storage';
import type { FileStorage } from './storage';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** With local storage, GET /files/<prefix>/… serves the stored images (the gateway routes it here). */
export function serveLocalFiles(app: NestFastifyApplication, storage: FileStorage, prefix: 'BRAND' | 'PRODUCT'): void {
  if (!(storage instanceof LocalDiskStorage)) return;
  app
    .getHttpAdapter()
    .getInstance()
    .get(`/files/${prefix}/*`, async (request, reply) => {
      const key = `${prefix}/${(request.params as { '*': string })['*']}`;
      let path: string;
      try {
        path = storage.path(key);
        if (!(await stat(path)).isFile()) throw new Error('not a file');
      } catch {
        return reply.status(404).send(errorBody('NOT_FOUND', 'No such file'));
      }
      return reply
        .header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=86400, immutable')
        .send(createReadStream(path));
    });
}
