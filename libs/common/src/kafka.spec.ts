import pino from 'pino';
import { KafkaBus } from './kafka';

/** What the bus asked of kafkajs: the producer's options and each send. */
const asked = { producers: [] as object[], sends: [] as Record<string, unknown>[] };

jest.mock('kafkajs', () => ({
  ...jest.requireActual<object>('kafkajs'),
  Kafka: class {
    admin() {
      return {};
    }
    producer(options: object) {
      asked.producers.push(options);
      return {
        connect: async () => undefined,
        send: async (request: Record<string, unknown>) => void asked.sends.push(request),
      };
    }
  },
}));

describe('KafkaBus producer', () => {
  it('writes through an idempotent producer, one request in flight, acknowledged by every in-sync replica', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'spec', groupPrefix: '' }, pino({ enabled: false }));
    await bus.publish('order-events', { orderId: 'o-1' }, { key: 'o-1', eventId: 'e-1' });
    await bus.publishMany('order-events', [{ payload: { orderId: 'o-2' } }, { payload: { orderId: 'o-3' } }]);

    expect(asked.producers).toEqual([expect.objectContaining({ idempotent: true, maxInFlightRequests: 1 })]);
    expect(asked.sends).toHaveLength(2);
    for (const send of asked.sends) expect(send).toMatchObject({ topic: 'order-events', acks: -1 });
  });
});
