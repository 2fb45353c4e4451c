import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest. Values are encrypted with AES-256-GCM and a random IV, so equal values do
 * not look equal (the original used AES-CBC with a fixed IV). E-mail lookups go through a keyed
 * HMAC of the normalised address (a blind index) instead of deterministic encryption.
 */
export class PiiCipher {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(masterKey: Buffer) {
    // two keys from one secret, so the index never reveals anything about the ciphertexts
    this.encryptionKey = createHmac('sha256', masterKey).update('runrun:pii:encryption').digest();
    this.indexKey = createHmac('sha256', masterKey).update('runrun:pii:index').digest();
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(encoded: string): string {
    const raw = Buffer.from(encoded, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  emailIndex(email: string): string {
    return createHmac('sha256', this.indexKey).update(email.trim().toLowerCase()).digest('hex');
  }
}
