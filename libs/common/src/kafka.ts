import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config';

/** `eventId` identifies the event (its outbox row) across re-deliveries; consumers dedupe on it. */
export interface EventMeta {
  topic: string;
  partition: number;
  offset: string;
  eventId: string;
}
export type EventHandler<T> = (payload: T, meta: EventMeta) => Promise<void>;

export const EVENT_ID_HEADER = 'event-id';

export interface OutgoingEvent {
  payload: object;
  /** `key` orders events of one entity on one partition; `eventId` lets consumers dedupe. */
  options?: { key?: string; eventId?: string };
}

/**
 * Kafka producer and consumers of one service, JSON payloads as the original sent them.
 * Call close() on shutdown: consumers leave their groups and the producer flushes.
 */
export class KafkaBus {
  private readonly kafka: Kafka;
  private readonly admin;
  private producer?: Promise<Producer>;
  private readonly consumers: Consumer[] = [];

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.admin = this.kafka.admin({ retry: { retries: 0 } });
  }

  /** Connects the producer on first use; a failed connection is retried on the next call. */
  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
      this.producer = producer.connect().then(
        () => producer,
        (error: unknown) => {
          this.producer = undefined;
          throw error;
        },
      );
    }
    return this.producer;
  }

  async publish(topic: string, payload: object, options: OutgoingEvent['options'] = {}): Promise<void> {
    await this.publishMany(topic, [{ payload, options }]);
  }

  /** Several events to one topic in one request (outbox relays send what piled up at once). */
  async publishMany(topic: string, events: OutgoingEvent[]): Promise<void> {
    if (!events.length) return;
    const producer = await this.getProducer();
    await producer.send({
      topic,
      messages: events.map(({ payload, options = {} }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (options.eventId) headers[EVENT_ID_HEADER] = options.eventId;
        return { key: options.key, value: JSON.stringify(payload), headers };
      }),
    });
  }

  /**
   * Consumes `topics` in group `<groupPrefix><groupId>` (one consumer per group; the handler sees
   * the topic in `meta`). A handler that throws leaves the offset uncommitted, so the message comes
   * again (handlers must be idempotent); a message that is not JSON can never succeed and is
   * logged and skipped.
   */
  async subscribe<T>(groupId: string, topics: string[], handler: EventHandler<T>): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.config.groupPrefix}${groupId}`,
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    // a group seen for the first time starts at the beginning: events published before its
    // first deployment are not skipped (handlers are idempotent)
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        let payload: T;
        try {
          payload = JSON.parse(message.value?.toString() ?? '') as T;
        } catch {
          this.logger.error({ topic: t, partition, offset: message.offset }, 'skipping a message that is not JSON');
          return;
        }
        const eventId = message.headers?.[EVENT_ID_HEADER]?.toString() ?? `${t}:${partition}:${message.offset}`;
        await handler(payload, { topic: t, partition, offset: message.offset, eventId });
      },
    });
    // ready only once the group has its partitions
    await joined;
  }

  /** Readiness: the broker answers a metadata request. */
  async ping(): Promise<void> {
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    const producer = await this.producer?.catch(() => undefined);
    await Promise.allSettled([producer?.disconnect(), this.admin.disconnect()]);
  }
}
