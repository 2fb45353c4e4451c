import { MockPgClient } from './mock-pg.client';
import { PgRefused, PgUnavailable } from './pg-client';
import { tossCancelFailure, tossConfirmation } from './toss-pg.client';

describe("Toss's answer to a confirm", () => {
  const done = {
    status: 'DONE',
    totalAmount: 15_000,
    method: '간편결제',
    requestedAt: '2026-11-27T10:00:00+09:00',
    approvedAt: '2026-11-27T10:00:05+09:00',
    easyPay: { provider: '카카오페이', amount: 15_000, discountAmount: 0 },
  };

  it('is a charge only when Toss answers 2xx with DONE, with its method and times', () => {
    const c = tossConfirmation(200, done, 15_000);
    expect(c).toMatchObject({ status: 'DONE', totalAmount: 15_000, method: '간편결제' });
    expect(JSON.parse(c.methodDetail)).toEqual(done.easyPay);
    expect(c.requestedAt.toISOString()).toBe('2026-11-27T01:00:00.000Z');
    expect(c.approvedAt?.toISOString()).toBe('2026-11-27T01:00:05.000Z');
  });

  it('is a refusal when Toss answers 4xx or a status other than DONE', () => {
    expect(tossConfirmation(400, { ...done, status: 'DONE' }, 15_000).status).toBe('ABORTED');
    expect(tossConfirmation(200, { ...done, status: 'ABORTED' }, 15_000).status).toBe('ABORTED');
    const refused = tossConfirmation(403, {}, 15_000); // an error body: no payment fields
    expect(refused).toMatchObject({ status: 'ABORTED', totalAmount: 15_000, method: '', methodDetail: '{}' });
    expect(refused.approvedAt).toBeUndefined();
  });

  it('is unknown (may have charged) when Toss fails with 5xx', () => {
    expect(() => tossConfirmation(502, {}, 15_000)).toThrow(PgUnavailable);
  });

  it('keeps the method detail within its column', () => {
    const long = { ...done, easyPay: undefined, card: { company: 'x'.repeat(400) } };
    expect(tossConfirmation(200, long, 15_000).methodDetail).toHaveLength(255);
  });
});

describe('a cancel Toss did not do', () => {
  it('is asked again when Toss may pass (5xx, 408, 429)', () => {
    for (const status of [500, 503, 408, 429]) expect(tossCancelFailure(status, {})).toBeInstanceOf(PgUnavailable);
  });

  it("is left for an operator with Toss's code when Toss refuses (other 4xx)", () => {
    const refused = tossCancelFailure(400, { code: 'ALREADY_CANCELED_PAYMENT', message: 'already cancelled' });
    expect(refused).toBeInstanceOf(PgRefused);
    expect(refused).toMatchObject({ code: 'ALREADY_CANCELED_PAYMENT' });
    expect(tossCancelFailure(404, {})).toMatchObject({ code: 'HTTP_404' });
  });
});

describe('the mock PG', () => {
  const pg = new MockPgClient(10);
  const confirm = (paymentKey: string) => pg.confirm({ paymentKey, orderId: 'o', amount: 1000 });

  it('approves a key, declines one containing decline, times out on one containing timeout', async () => {
    expect(await confirm('key-1')).toMatchObject({ status: 'DONE', totalAmount: 1000 });
    expect(await confirm('key-decline')).toMatchObject({ status: 'ABORTED', approvedAt: undefined });
    await expect(confirm('key-timeout')).rejects.toBeInstanceOf(PgUnavailable);
  });

  it('refuses cancels of refunded keys, and answers cancelfail<n> keys on attempt n + 1', async () => {
    await expect(pg.cancel('key-refunded')).rejects.toBeInstanceOf(PgRefused);
    await expect(pg.cancel('key-cancelfail2')).rejects.toBeInstanceOf(PgUnavailable);
    await expect(pg.cancel('key-cancelfail2')).rejects.toBeInstanceOf(PgUnavailable);
    await expect(pg.cancel('key-cancelfail2')).resolves.toBeUndefined();
    await expect(pg.cancel('key-2')).resolves.toBeUndefined();
  });
});
