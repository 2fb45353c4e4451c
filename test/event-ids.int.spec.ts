import {
  createGrpcClient,
  DependencyRegistry,
  KafkaBus,
  OutboxHandlers,
  OutboxRelay,
  OutgoingEvent,
} from '@runrun/common';
import { Topics } from '@runrun/contracts';
import { enqueueEvent, MysqlOutboxStore, OutboxEvent } from '@runrun/mysql';
import { createBrand, createProduct, newShopper, productForm } from '@runrun/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { TEST_DB, wiring } from './env';
import { eventually, withMysql } from './stores';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BROKERS = ['127.0.0.1:9092'];

/**
 * Consumers dedupe on the `event-id` header. It must be the same for every delivery of one event
 * and never the same for two events, even when an outbox table is restored or recreated and its
 * counter starts again from 1: a UUID drawn when the outbox row is written, for both outboxes
 * (MySQL: libs/mysql; MongoDB: product's outbox).
 */
describe('event ids', () => {
  const seen: { eventId: string; payload: { n?: number; orderId?: string } }[] = [];
  const watcher = new KafkaBus(
    { brokers: BROKERS, clientId: 'test-event-ids', groupPrefix: 'test-event-ids-' },
    pino({ level: 'silent' }),
  );
  afterAll(() => watcher.close());

  describe('MySQL outbox', () => {
    const TOPIC = 'test-event-ids';
    const DATABASE = 'runrun_test_event_ids';
    const run = randomUUID(); // this run's events, on a topic earlier runs wrote to as well
    /** The broker takes a batch, but its answer is lost: the relay sends the batch again. */
    class LostAnswers extends KafkaBus {
      loseNext = false;
      override async publishMany(topic: string, events: OutgoingEvent[]): Promise<void> {
        await super.publishMany(topic, events);
        if (!this.loseNext) return;
        this.loseNext = false;
        throw Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError' });
      }
    }
    const bus = new LostAnswers(
      { brokers: BROKERS, clientId: 'test-event-ids-relay', groupPrefix: '' },
      pino({ level: 'silent' }),
    );
    let source: DataSource;
    let relay: OutboxRelay;
    const ofRun = () => seen.filter((e) => e.payload && (e.payload as { run?: string }).run === run);
    const enqueue = (n: number) => source.transaction((tx) => enqueueEvent(tx, TOPIC, { run, n }, run));
    const truncate = () => source.query('TRUNCATE TABLE outbox_events'); // the counter starts again from 1

    beforeAll(async () => {
      const admin = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] }).catch(() => undefined);
      await admin.disconnect();
      await withMysql(TEST_DB.order, (q) => q(`CREATE DATABASE IF NOT EXISTS ${DATABASE}`));
      source = await new DataSource({
        type: 'mysql',
        host: '127.0.0.1',
        port: 3306,
        username: 'runrun',
        password: 'runrun',
        database: DATABASE,
        entities: [OutboxEvent],
        synchronize: true,
        timezone: 'Z',
      }).initialize();
      relay = new OutboxRelay(
        new MysqlOutboxStore(source),
        bus,
        new OutboxHandlers(),
        pino({ level: 'silent' }),
        new DependencyRegistry(),
      );
      await watcher.subscribe<{ run?: string; n?: number }>(`watch-${run}`, [TOPIC], async (payload, meta) => {
        seen.push({ eventId: meta.eventId, payload });
      });
    });
    afterAll(async () => {
      await bus.close();
      await source?.destroy();
    });

    it('a redelivered event carries the same UUID; two events never share one, even after the table was truncated', async () => {
      await truncate();
      await enqueue(1);
      bus.loseNext = true;
      await expect(relay.relayBatch()).rejects.toThrow('Request timed out'); // the row stays
      expect(await relay.relayBatch()).toBe(1); // and goes out again
      const first = await eventually(async () => {
        const ones = ofRun().filter((e) => e.payload.n === 1);
        return ones.length === 2 ? ones : undefined;
      });
      expect(first[0].eventId).toMatch(UUID);
      expect(first[1].eventId).toBe(first[0].eventId);

      // the table recreated: the next row gets id 1 again, the event a new id
      await truncate();
      await enqueue(2);
      expect(await relay.relayBatch()).toBe(1);
      const second = await eventually(async () => ofRun().find((e) => e.payload.n === 2));
      expect(second.eventId).toMatch(UUID);
      expect(second.eventId).not.toBe(first[0].eventId);
    });

    it('a row written before event ids existed goes out with the id it had then', async () => {
      await source.query('INSERT INTO outbox_events (topic, event_key, payload) VALUES (?, ?, ?)', [
        TOPIC,
        run,
        JSON.stringify({ run, n: 3 }),
      ]);
      const [{ id }] = (await source.query('SELECT MAX(id) AS id FROM outbox_events')) as { id: string }[];
      expect(await relay.relayBatch()).toBe(1);
      const old = await eventually(async () => ofRun().find((e) => e.payload.n === 3));
      expect(old.eventId).toBe(`${TOPIC}:${id}`);
    });
  });

  describe("product's MongoDB outbox (stock-check-failed)", () => {
    const product = createGrpcClient('ProductService', wiring.PRODUCT_GRPC_URL, 20_000);
    afterAll(() => product.close());

    beforeAll(async () => {
      await watcher.subscribe<{ orderId: string }>(
        `watch-stock-${randomUUID()}`,
        [Topics.STOCK_CHECK_FAILED],
        async (payload, meta) => {
          seen.push({ eventId: meta.eventId, payload });
        },
      );
    });
    const eventOf = (orderId: string) => eventually(async () => seen.find((e) => e.payload.orderId === orderId));

    it('a failed decrease publishes its event with a UUID of its own', async () => {
      const seller = await newShopper('SELLER');
      const productId = await createProduct(seller.auth, productForm(await createBrand(seller.auth), { quantity: 1 }));
      const [a, b] = [randomUUID(), randomUUID()];
      for (const orderId of [a, b]) {
        const answer = await product.CheckAndUpdateProductStock({
          orderId,
          productQuantity: [{ productId, quantity: 5 }],
        });
        expect(answer.isSuccess).toBe(false);
      }
      const [ea, eb] = [await eventOf(a), await eventOf(b)];
      expect(ea.eventId).toMatch(UUID);
      expect(eb.eventId).toMatch(UUID);
      expect(ea.eventId).not.toBe(eb.eventId);
    });
  });
});
