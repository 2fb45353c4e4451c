import { validateBody } from '@runrun/common';
import { hashPassword, passwordMatches } from '../auth/password';
import { PiiCipher } from '../crypto/pii-cipher';
import { SignUpForm } from './signup.dto';

const form = {
  email: 'shopper@example.com',
  password: 'Secret1!',
  phone: '010-1234-5678',
  name: '송송이',
  address: '서울시 강남구 테헤란로 1',
  zipCode: '12345',
  userType: 'CUSTOMER',
};
/** The fields a sign-up is refused for, or [] when it is accepted. */
const refused = async (body: object) =>
  validateBody(SignUpForm, body).then(
    () => [],
    (error: { details: Record<string, string> }) => Object.keys(error.details).sort(),
  );

describe('a sign-up form', () => {
  it('is accepted as a shopper or a seller', async () => {
    expect(await refused(form)).toEqual([]);
    expect(await refused({ ...form, userType: 'SELLER' })).toEqual([]);
    expect(await refused({ ...form, userType: 'ADMIN' })).toEqual(['userType']);
  });

  it('needs a password with upper and lower case, a digit and a symbol, 8 to 128 characters', async () => {
    for (const weak of ['secret1!', 'SECRET1!', 'Secretss!', 'Secret11', 'Se1!', `Secret1!${'x'.repeat(121)}`]) {
      expect(await refused({ ...form, password: weak })).toEqual(['password']);
    }
    expect(await refused({ ...form, password: `Secret1!${'x'.repeat(120)}` })).toEqual([]);
  });

  it('needs an e-mail address, a phone like 010-1234-5678 and a 5-digit zip code', async () => {
    expect(await refused({ ...form, email: 'shopper@localhost' })).toEqual(['email']);
    expect(await refused({ ...form, email: 'sho..pper@example.com' })).toEqual(['email']);
    expect(await refused({ ...form, phone: '01012345678' })).toEqual(['phone']);
    expect(await refused({ ...form, zipCode: '1234' })).toEqual(['zipCode']);
  });

  it('bounds the address by what its encrypted column holds (bytes, not characters)', async () => {
    expect(await refused({ ...form, address: '가'.repeat(53) })).toEqual([]);
    expect(await refused({ ...form, address: '가'.repeat(54) })).toEqual(['address']);
    expect(await refused({ ...form, address: 'short' })).toEqual(['address']);
  });
});

describe('personal data at rest', () => {
  const cipher = new PiiCipher(Buffer.alloc(32, 7));

  it('is encrypted so that equal values do not look equal, and decrypts back', () => {
    const first = cipher.encrypt('서울시 강남구 테헤란로 1');
    const second = cipher.encrypt('서울시 강남구 테헤란로 1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('테헤란로');
    expect(cipher.decrypt(first)).toBe('서울시 강남구 테헤란로 1');
  });

  it('cannot be altered unnoticed, nor read with another key', () => {
    const sealed = Buffer.from(cipher.encrypt('010-1234-5678'), 'base64');
    sealed[sealed.length - 1] ^= 1;
    expect(() => cipher.decrypt(sealed.toString('base64'))).toThrow();
    expect(() => new PiiCipher(Buffer.alloc(32, 8)).decrypt(cipher.encrypt('x'))).toThrow();
  });

  it('finds an e-mail by a keyed index of the normalised address', () => {
    expect(cipher.emailIndex(' Shopper@Example.com ')).toBe(cipher.emailIndex('shopper@example.com'));
    expect(cipher.emailIndex('shopper@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(new PiiCipher(Buffer.alloc(32, 8)).emailIndex('shopper@example.com')).not.toBe(
      cipher.emailIndex('shopper@example.com'),
    );
  });
});

describe('passwords', () => {
  it('are stored as argon2id hashes that only the password matches', async () => {
    const stored = await hashPassword('Secret1!');
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain('Secret1!');
    expect(await passwordMatches(stored, 'Secret1!')).toBe(true);
    expect(await passwordMatches(stored, 'secret1!')).toBe(false);
  });
});
