/** Image types we accept, recognised by their first bytes (the declared type is not trusted). */
const SIGNATURES: { type: string; extension: string; matches: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', extension: '.jpg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/png',
    extension: '.png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/gif', extension: '.gif', matches: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  {
    type: 'image/webp',
    extension: '.webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export const ACCEPTED_IMAGES = 'a JPEG, PNG, GIF or WebP image';

export function detectImage(content: Buffer): { type: string; extension: string } | undefined {
  return SIGNATURES.find((s) => s.matches(content));
}
