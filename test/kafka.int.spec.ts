import { KafkaBus } from '@runrun/common';
import { AddressSaveEvent, Topics } from '@runrun/contracts';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { url } from './env';
import { eventually } from './stores';

/** An event produced as order produces it, consumed by the running user service, via the real broker. */
describe('Kafka round trip: address-events → user service', () => {
  const bus = new KafkaBus(
    { brokers: ['127.0.0.1:9092'], clientId: 'test-order', groupPrefix: 'test-' },
    pino({ level: 'silent' }),
  );
  afterAll(() => bus.close());

  const userId = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  const event = (name: string, isDefault: boolean): AddressSaveEvent => ({
    userId,
    isDefault,
    name,
    address: '서울특별시 성북구 보문로 34로',
    zipCode: '11234',
    phone: '010-2223-1111',
  });
  // read back as the shopper would: the user service's address list (default first)
  const addresses = async () => {
    const res = await fetch(`${url('user')}/users/addresses`, { headers: { 'x-user-id': String(userId) } });
    return ((await res.json()) as { receiverName: string; isDefault: boolean }[]).map((a) => ({
      name: a.receiverName,
      isDefault: a.isDefault,
    }));
  };

  it('saves the address; the same event delivered twice saves it once', async () => {
    const eventId = randomUUID();
    await bus.publish(Topics.ADDRESS, event('송송이', false), { key: String(userId), eventId });
    await bus.publish(Topics.ADDRESS, event('송송이', false), { key: String(userId), eventId });
    const rows = await eventually(async () => {
      const found = await addresses();
      return found.length > 0 ? found : undefined;
    });
    // give a duplicate time to arrive, then check it changed nothing
    await bus.publish(Topics.ADDRESS, event('marker', false), { key: String(userId), eventId: randomUUID() });
    await eventually(async () => ((await addresses()).length === 2 ? true : undefined));
    expect(rows[0]).toEqual({ name: '송송이', isDefault: true }); // a first address is the default
    expect((await addresses()).map((r) => r.name)).toEqual(['송송이', 'marker']);
  });

  it('a new default address turns the previous default off', async () => {
    await bus.publish(Topics.ADDRESS, event('new default', true), { key: String(userId), eventId: randomUUID() });
    const rows = await eventually(async () => {
      const found = await addresses();
      return found.length === 3 ? found : undefined;
    });
    expect(rows.filter((r) => r.isDefault).map((r) => r.name)).toEqual(['new default']);
  });
});
