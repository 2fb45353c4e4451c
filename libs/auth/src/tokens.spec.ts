import jwt from 'jsonwebtoken';
import { TokenSigner } from './tokens';

const config = {
  jwtSecret: 'a-test-secret-that-is-at-least-32-bytes-long',
  accessTtlSeconds: 60,
  refreshTtlSeconds: 600,
};
const signer = new TokenSigner(config);
const now = () => Math.floor(Date.now() / 1000);
const claims = { sub: '7', role: 'CUSTOMER', typ: 'access', jti: 'j', gen: 0 };

describe('HS256 tokens', () => {
  it('issues standard JWTs that a standard library verifies, with the claims', () => {
    const { token } = signer.sign(7, 'SELLER', 'access', 3);
    const decoded = jwt.verify(token, config.jwtSecret, { algorithms: ['HS256'] }) as Record<string, unknown>;
    expect(decoded).toMatchObject({ sub: '7', role: 'SELLER', typ: 'access', gen: 3 });
    expect(decoded.exp).toBe((decoded.iat as number) + 60);
  });

  it('verifies tokens signed by a standard library', () => {
    const token = jwt.sign({ ...claims, exp: now() + 60 }, config.jwtSecret, { algorithm: 'HS256' });
    expect(signer.verify(token, 'access')).toMatchObject({ ok: true, claims: { sub: '7' } });
  });

  it.each([
    ['another secret', jwt.sign({ ...claims, exp: now() + 60 }, 'x'.repeat(40), { algorithm: 'HS256' })],
    ['alg none', jwt.sign({ ...claims, exp: now() + 60 }, '', { algorithm: 'none' })],
    ['HS512', jwt.sign({ ...claims, exp: now() + 60 }, config.jwtSecret, { algorithm: 'HS512' })],
    [
      'a tampered payload',
      (() => {
        const [h, , s] = signer.sign(7, 'CUSTOMER', 'access', 0).token.split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'SELLER', exp: now() + 60 })).toString('base64url')}.${s}`;
      })(),
    ],
    ['garbage', 'not.a.token'],
    ['missing claims', jwt.sign({ sub: '7', exp: now() + 60 }, config.jwtSecret, { algorithm: 'HS256' })],
  ])('refuses %s', (_, token) => {
    expect(signer.verify(token, 'access')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('tells expired tokens apart', () => {
    const token = jwt.sign({ ...claims, exp: now() - 1 }, config.jwtSecret, { algorithm: 'HS256' });
    expect(signer.verify(token, 'access')).toEqual({ ok: false, reason: 'expired' });
  });

  it('never takes a refresh token for an access token', () => {
    const { token } = signer.sign(7, 'CUSTOMER', 'refresh', 0);
    expect(signer.verify(token, 'access')).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.verify(token, 'refresh').ok).toBe(true);
  });
});
