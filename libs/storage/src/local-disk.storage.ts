import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { FileStorage } from './storage';

/** Files on the local disk, served by the service at `<publicBaseUrl>/files/<key>`. */
export class LocalDiskStorage implements FileStorage {
  constructor(
    private readonly directory: string,
    private readonly publicBaseUrl: string,
  ) {}

  /** The absolute path of a key, refusing anything that would leave the directory. */
  path(key: string): string {
    const path = normalize(join(this.directory, key));
    if (!path.startsWith(normalize(this.directory + '/'))) throw new Error(`invalid storage key ${key}`);
    return path;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  url(key: string): string {
    return `${this.publicBaseUrl}/files/${key}`;
  }
}
