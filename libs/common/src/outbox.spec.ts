import pino from 'pino';
import { PermanentError } from './failures';
import { DependencyRegistry } from './health';
import type { KafkaBus } from './kafka';
import { OutboxBatch, OutboxEntry, OutboxHandlers, OutboxRelay, OutboxStore, outboxWritten } from './outbox';

/** A store in memory: what the relay removed, retried and parked. */
class MemoryStore implements OutboxStore {
  readonly name = 'memory';
  rows: (OutboxEntry & { parked?: string; retryAt?: Date })[] = [];

  add(id: string, topic: string, payload: object) {
    this.rows.push({ id, topic, payload, eventId: `event-${id}`, attempts: 0 });
  }

  async withBatch(limit: number, work: (batch: OutboxBatch) => Promise<number>): Promise<number> {
    const due = this.rows.filter((r) => !r.parked && (!r.retryAt || r.retryAt <= new Date())).slice(0, limit);
    if (!due.length) return 0;
    const before = structuredClone(this.rows);
    try {
      return await work({
        entries: due.map(({ parked: _p, retryAt: _r, ...entry }) => entry),
        remove: async (ids) => void (this.rows = this.rows.filter((r) => !ids.includes(r.id))),
        retryLater: async (entry, attempts, lastError, at) =>
          void Object.assign(
            this.rows.find((r) => r.id === entry.id)!,
            { attempts, retryAt: at },
          ),
        park: async (entry, attempts, lastError) =>
          void Object.assign(
            this.rows.find((r) => r.id === entry.id)!,
            { attempts, parked: lastError },
          ),
      });
    } catch (error) {
      this.rows = before; // as a transaction rolled back
      throw error;
    }
  }

  async backlog() {
    return { rows: this.rows.length, oldestAgeSeconds: 0 };
  }
}

/** Kafka that keeps what it was sent and refuses what `refuse` says, a whole call at a time. */
const bus = (refuse: (payload: object) => Error | undefined = () => undefined) => {
  const sent: { topic: string; payload: object; eventId?: string }[] = [];
  const kafka = {
    retryPolicy: { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 1 },
    outboxMaxAttempts: 3,
    async publishMany(topic: string, events: { payload: object; options: { eventId?: string } }[]) {
      for (const e of events) {
        const error = refuse(e.payload);
        if (error) throw error;
      }
      sent.push(...events.map((e) => ({ topic, payload: e.payload, eventId: e.options.eventId })));
    },
  };
  return { sent, kafka: kafka as unknown as KafkaBus };
};

const relayOf = (store: OutboxStore, kafka: KafkaBus, handlers = new OutboxHandlers()) =>
  new OutboxRelay(store, kafka, handlers, pino({ level: 'silent' }), new DependencyRegistry());

describe('the outbox relay', () => {
  it('publishes rows with their event ids, topic by topic, and removes them', async () => {
    const store = new MemoryStore();
    store.add('1', 'a', { n: 1 });
    store.add('2', 'b', { n: 2 });
    store.add('3', 'a', { n: 3 });
    const { sent, kafka } = bus();
    expect(await relayOf(store, kafka).relayBatch()).toBe(3);
    expect(sent).toEqual([
      { topic: 'a', payload: { n: 1 }, eventId: 'event-1' },
      { topic: 'a', payload: { n: 3 }, eventId: 'event-3' },
      { topic: 'b', payload: { n: 2 }, eventId: 'event-2' },
    ]);
    expect(store.rows).toEqual([]);
  });

  it('parks a row that can never go out; the rows after it go out', async () => {
    const store = new MemoryStore();
    store.add('1', 'a', { n: 1 });
    store.add('2', 'a', { poison: true });
    store.add('3', 'a', { n: 3 });
    const { sent, kafka } = bus((p) => ('poison' in p ? new PermanentError('too large') : undefined));
    expect(await relayOf(store, kafka).relayBatch()).toBe(2);
    expect(sent.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(store.rows).toEqual([expect.objectContaining({ id: '2', attempts: 1, parked: expect.any(String) })]);
  });

  it('retries a row failing for an unknown reason, then parks it after the last attempt', async () => {
    const store = new MemoryStore();
    store.add('1', 'a', { odd: true });
    const { kafka } = bus(() => new Error('something odd'));
    const relay = relayOf(store, kafka);
    for (const attempts of [1, 2]) {
      await relay.relayBatch();
      expect([store.rows[0].attempts, store.rows[0].parked]).toEqual([attempts, undefined]);
      store.rows[0].retryAt = new Date(0); // its backoff over
    }
    await relay.relayBatch();
    expect(store.rows[0]).toMatchObject({ attempts: 3, parked: expect.any(String) });
  });

  it('leaves every row as it was when the broker is away', async () => {
    const store = new MemoryStore();
    store.add('1', 'a', { n: 1 });
    store.add('2', 'b', { n: 2 });
    const away = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    const { kafka } = bus((p) => ((p as { n: number }).n === 2 ? away : undefined));
    await expect(relayOf(store, kafka).relayBatch()).rejects.toBe(away);
    expect(store.rows).toEqual([
      expect.objectContaining({ id: '1', attempts: 0 }),
      expect.objectContaining({ id: '2', attempts: 0 }),
    ]);
  });

  it('hands topics with an in-process handler to it instead of Kafka', async () => {
    const store = new MemoryStore();
    store.add('1', 'local', { n: 1 });
    store.add('2', 'a', { n: 2 });
    const handled: object[] = [];
    const handlers = new OutboxHandlers();
    handlers.register('local', async (payload) => void handled.push(payload));
    const { sent, kafka } = bus();
    await relayOf(store, kafka, handlers).relayBatch();
    expect(handled).toEqual([{ n: 1 }]);
    expect(sent.map((e) => e.topic)).toEqual(['a']);
    expect(store.rows).toEqual([]);
  });
});

describe('the outbox relay between rounds', () => {
  /** A store that counts the relay's rounds and has rows only when the test adds them. */
  const countingStore = () => {
    const store = new MemoryStore();
    let rounds = 0;
    const withBatch = store.withBatch.bind(store);
    store.withBatch = (limit, work) => (rounds++, withBatch(limit, work));
    return { store, rounds: () => rounds };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /**
   * A running relay on a counting store; `rowAfterNextRound` adds a row right after a round (when
   * the relay begins its longest wait) and says how long it took to go out.
   */
  const withIdleRelay = async (
    test: (relay: { rounds: () => number; rowAfterNextRound: (tell: boolean) => Promise<number> }) => Promise<void>,
  ) => {
    const { store, rounds } = countingStore();
    const { sent, kafka } = bus();
    const relay = relayOf(store, kafka);
    relay.onApplicationBootstrap();
    const rowAfterNextRound = async (tell: boolean) => {
      const seen = rounds();
      while (rounds() === seen) await sleep(2);
      store.add('1', 'a', { n: 1 });
      const written = Date.now();
      if (tell) outboxWritten();
      while (!sent.length && Date.now() - written < 3000) await sleep(5);
      expect(sent).toEqual([{ topic: 'a', payload: { n: 1 }, eventId: 'event-1' }]);
      return Date.now() - written;
    };
    try {
      await test({ rounds, rowAfterNextRound });
    } finally {
      await relay.onApplicationShutdown();
    }
  };

  it(
    'slows down to a round a second while idle; a row written here is sent within its shortest wait',
    () =>
      withIdleRelay(async ({ rounds, rowAfterNextRound }) => {
        await sleep(3500);
        // waits of 100, 200, 400, 800, 1000, 1000 ms: 6 or 7 rounds in 3.5 s (at 100 ms, 35)
        expect(rounds()).toBeGreaterThanOrEqual(4);
        expect(rounds()).toBeLessThanOrEqual(8);
        expect(await rowAfterNextRound(true)).toBeLessThan(400);
      }),
    10_000,
  );

  it(
    'a row written elsewhere (not told) still goes out within a second',
    () =>
      withIdleRelay(async ({ rowAfterNextRound }) => {
        await sleep(2500);
        expect(await rowAfterNextRound(false)).toBeLessThan(1300);
      }),
    10_000,
  );
});
