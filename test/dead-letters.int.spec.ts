import { DeadLetterHeaders, EVENT_ID_HEADER, KafkaBus } from '@runrun/common';
import { AddressSaveEvent, deadLetterTopic, Topics } from '@runrun/contracts';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { TEST_DB, url } from './env';
import { eventually, withMysql } from './stores';

interface Parked {
  payload: unknown;
  headers: Record<string, string>;
}

/**
 * Messages that can never be processed are parked on `<topic>.dlq` (or marked in the outbox) with
 * their error, and the messages behind them go on.
 */
describe('poison messages are parked, the rest goes on', () => {
  const bus = new KafkaBus(
    { brokers: ['127.0.0.1:9092'], clientId: 'test-order', groupPrefix: 'test-' },
    pino({ level: 'silent' }),
  );
  /**
   * What the system under test parked on a dead-letter topic, by the `event-id` of the original
   * message (a system beside it on the same broker, in other groups, parks the same events).
   */
  const parked = new Map<string, Parked>();
  const watch = (topic: string) =>
    bus.subscribe<unknown>(`dlq-watch-${randomUUID()}`, [deadLetterTopic(topic)], async (payload, meta) => {
      if (meta.headers[DeadLetterHeaders.group] !== 'test-user-group') return;
      parked.set(meta.headers[EVENT_ID_HEADER] ?? meta.eventId, { payload, headers: meta.headers });
    });
  beforeAll(() => watch(Topics.ADDRESS));
  afterAll(() => bus.close());

  it('an address too long for its column is parked on address-events.dlq; the next event of the same shopper is applied', async () => {
    const userId = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const event = (name: string, address: string): AddressSaveEvent => ({
      userId,
      isDefault: false,
      name,
      address,
      zipCode: '11234',
      phone: '010-2223-1111',
    });
    const poisonId = randomUUID();
    const poison = event('poison', '서울특별시 '.repeat(400)); // far over the 255 of `addresses.address`
    // the same key: the same partition, the valid event behind the poison one
    await bus.publish(Topics.ADDRESS, poison, { key: String(userId), eventId: poisonId });
    await bus.publish(Topics.ADDRESS, event('valid', '서울특별시 성북구 보문로 34로'), {
      key: String(userId),
      eventId: randomUUID(),
    });

    const names = await eventually(async () => {
      const res = await fetch(`${url('user')}/users/addresses`, { headers: { 'x-user-id': String(userId) } });
      const rows = (await res.json()) as { receiverName: string }[];
      return rows.length > 0 ? rows.map((r) => r.receiverName) : undefined;
    }, 30_000);
    expect(names).toEqual(['valid']);

    const dead = await eventually(async () => parked.get(poisonId), 30_000);
    expect(dead.payload).toEqual(poison);
    expect(dead.headers[DeadLetterHeaders.error]).toMatch(/too long|ER_DATA_TOO_LONG/i);
    expect(dead.headers[DeadLetterHeaders.kind]).toBe('permanent');
    expect(dead.headers[DeadLetterHeaders.topic]).toBe(Topics.ADDRESS);
    expect(dead.headers[DeadLetterHeaders.partition]).toMatch(/^\d+$/);
    expect(dead.headers[DeadLetterHeaders.offset]).toMatch(/^\d+$/);
    expect(dead.headers[DeadLetterHeaders.group]).toBe('test-user-group');

    // counted where Prometheus scrapes
    const metrics = await (await fetch(`${url('user')}/metrics`)).text();
    expect(metrics).toMatch(/runrun_dead_letters_total\{topic="address-events",group="test-user-group"\} [1-9]/);
  });

  it('a malformed event is parked as well, not skipped', async () => {
    const eventId = randomUUID();
    await bus.publish(Topics.ADDRESS, { userId: 'nobody' }, { key: 'malformed', eventId });
    const dead = await eventually(async () => parked.get(eventId), 30_000);
    expect(dead.headers[DeadLetterHeaders.error]).toContain('malformed event: userId must be an integer');
    expect(dead.headers[DeadLetterHeaders.attempts]).toBe('1'); // parked at once, never retried
  });

  it('an outbox row that can never be published is parked with its error; the rows after it go out', async () => {
    const topic = Topics.ORDER_FAILED;
    const orderId = `outbox-poison-${randomUUID()}`;
    // over the broker's 1 MB message limit: refused every time (MESSAGE_TOO_LARGE)
    const huge = { orderId, productQuantity: {}, padding: 'x'.repeat(1_200_000) };
    const next = { orderId: `outbox-next-${randomUUID()}`, productQuantity: {} };
    const [poisonId, nextId] = await withMysql(TEST_DB.payment, async (q) => {
      const ids: string[] = [];
      for (const payload of [huge, next]) {
        const result = (await q('INSERT INTO outbox_events (topic, event_key, payload) VALUES (?, ?, ?)', [
          topic,
          payload.orderId,
          JSON.stringify(payload),
        ])) as unknown as { insertId: number };
        ids.push(String(result.insertId));
      }
      return ids;
    });
    const rows = await eventually(async () => {
      const found = await withMysql(TEST_DB.payment, (q) =>
        q('SELECT id, failed_at AS failedAt, last_error AS lastError FROM outbox_events WHERE id IN (?, ?)', [
          poisonId,
          nextId,
        ]),
      );
      return found.length === 1 && found[0].failedAt ? found : undefined;
    }, 30_000);
    // the next row went out (deleted), the poison one stays parked for an operator
    expect(String(rows[0].id)).toBe(poisonId);
    expect(rows[0].lastError).toContain('MESSAGE_TOO_LARGE');
    const metrics = await (await fetch(`${url('payment')}/metrics`)).text();
    expect(metrics).toMatch(/runrun_outbox_parked_total\{topic="order-failed-events"\} [1-9]/);
    await withMysql(TEST_DB.payment, (q) => q('DELETE FROM outbox_events WHERE id = ?', [poisonId]));
  });
});
