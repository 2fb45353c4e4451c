import { randomUUID } from 'node:crypto';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The original's business order id: `yyyyMMddHHmmssSSS-<uuid without dashes>` (UTC). */
export function newOrderId(now = new Date()): string {
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}${pad(now.getUTCMilliseconds(), 3)}`;
  return `${stamp}-${randomUUID().replace(/-/g, '')}`;
}
