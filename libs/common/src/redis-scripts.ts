import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Redis script from its own `.lua` file beside the code that runs it (`dir`: the caller's
 * __dirname; the build copies .lua files into dist), read once when the module loads. The file
 * says what the script does and what its KEYS and ARGV are.
 */
export const loadScript = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
