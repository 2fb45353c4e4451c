import { deadLetterTopic, MalformedEventError, parseEvent } from '@runrun/contracts';
import { Consumer, IHeaders, Kafka, KafkaMessage, logLevel, Producer } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config';
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  describeFailure,
  FailureKind,
  PermanentError,
  retryDecision,
  RetryPolicy,
} from './failures';
import { metricsRegistry } from './metrics';
import './kafkajs-idle-timer';

/** `eventId` identifies the event (its outbox row) across re-deliveries; consumers dedupe on it. */
export interface EventMeta {
  topic: string;
  partition: number;
  offset: string;
  eventId: string;
  /** The message's headers as text. */
  headers: Record<string, string>;
}
export type EventHandler<T> = (payload: T, meta: EventMeta) => Promise<void>;

export const EVENT_ID_HEADER = 'event-id';

/** Headers a parked message carries on `<topic>.dlq`, beside its own. */
export const DeadLetterHeaders = {
  error: 'dlq-error',
  kind: 'dlq-error-kind',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  group: 'dlq-group',
  attempts: 'dlq-attempts',
  parkedAt: 'dlq-parked-at',
} as const;

const deadLetters = new Counter({
  name: 'runrun_dead_letters_total',
  help: 'Messages a consumer could not process and parked on <topic>.dlq, by original topic and group',
  labelNames: ['topic', 'group'] as const,
  registers: [metricsRegistry],
});

/** Outbox rows (MySQL or MongoDB outboxes) parked because they can never be published or handled. */
export const outboxParked = new Counter({
  name: 'runrun_outbox_parked_total',
  help: 'Outbox rows that could never be published or handled, parked for an operator, by topic',
  labelNames: ['topic'] as const,
  registers: [metricsRegistry],
});

const consumerLag = new Gauge({
  name: 'runrun_kafka_consumer_lag',
  help: "Messages of a topic not yet committed by a consumer group (the log end less the group's offsets), sampled",
  labelNames: ['group', 'topic'] as const,
  registers: [metricsRegistry],
});
/** How often each service samples its groups' lag (the admin asks the broker once per group and topic). */
const LAG_SAMPLE_MS = 10_000;

/**
 * Every message is written by an idempotent producer and acknowledged by all in-sync replicas:
 * with topics of replication factor 3 and `min.insync.replicas` 2 (infra/create-topics.mjs), an
 * acknowledged event survives the loss of any one broker, and a retry after a lost answer is not
 * written twice. kafkajs requires acks -1 and retries for `idempotent`, and one request in flight
 * per broker keeps the sequence numbers in order.
 */
const PRODUCER_CONFIG = { allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 } as const;
const ACKS_ALL = -1;

/** Thrown out of a retry loop when the bus closes: the message stays uncommitted for the next owner. */
class BusClosing extends Error {}

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
  private closing = false;
  /** The groups this process consumes in, and their topics, for the lag samples. */
  private readonly groups = new Map<string, string[]>();
  private lagTimer?: NodeJS.Timeout;
  /** How handlers' failures are retried; outbox relays use the same backoff. */
  readonly retryPolicy: RetryPolicy;
  readonly outboxMaxAttempts: number;

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
  ) {
    this.retryPolicy = config.retry ?? DEFAULT_RETRY_POLICY;
    this.outboxMaxAttempts = config.outboxMaxAttempts ?? 10;
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
      const producer = this.kafka.producer(PRODUCER_CONFIG);
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
      acks: ACKS_ALL,
      messages: events.map(({ payload, options = {} }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (options.eventId) headers[EVENT_ID_HEADER] = options.eventId;
        return { key: options.key, value: JSON.stringify(payload), headers };
      }),
    });
  }

  /**
   * Consumes `topics` in group `<groupPrefix><groupId>` (one consumer per group; the handler sees
   * the topic in `meta`). Handlers must be idempotent: a message may come again. A failing message
   * is retried in place (its partition waits): with backoff while a server is down (classified
   * transient, see failures.ts) for as long as it takes; an unknown failure up to
   * `retryPolicy.maxAttempts` times; then, or at once for a failure that can never succeed
   * (`PermanentError`, a 4xx domain refusal, a value too long for its column, not JSON, not its
   * topic's event), the message
   * is parked on `<topic>.dlq` with its error and origin, counted and logged, and the partition goes
   * on. Only once parked is its offset committed: nothing is dropped.
   */
  async subscribe<T>(groupId: string, topics: string[], handler: EventHandler<T>): Promise<void> {
    const group = `${this.config.groupPrefix}${groupId}`;
    // a member gone without leaving (a killed pod, a broker that restarted) holds its partitions
    // for the session timeout: 10 s instead of kafkajs's 30 s, with a heartbeat every 3 s (the
    // retry loop heartbeats between attempts, so a long retry does not cost the partitions)
    const consumer = this.kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
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
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const headers = headerText(message.headers);
        const eventId = headers[EVENT_ID_HEADER] ?? `${topic}:${partition}:${message.offset}`;
        const meta: EventMeta = { topic, partition, offset: message.offset, eventId, headers };
        const where = { topic, partition, offset: message.offset, group, eventId };
        // checked against its topic's event class (libs/contracts) before any handler sees it
        let payload: T;
        try {
          payload = parseEvent(topic, JSON.parse(message.value?.toString() ?? '')) as T;
        } catch (e) {
          const reason = e instanceof MalformedEventError ? 'malformed event' : 'not JSON';
          const error = new PermanentError(`${reason}: ${(e as Error).message}`);
          return this.park({ group, topic, partition, message, error, kind: 'permanent', attempts: 1 }, heartbeat);
        }
        for (let attempt = 1; ; attempt++) {
          let error: unknown;
          try {
            await handler(payload, meta);
            return;
          } catch (caught) {
            error = caught;
          }
          const kind = classifyFailure(error);
          const decision = retryDecision(kind, attempt, this.retryPolicy);
          if (decision.action === 'park') {
            await this.park({ group, topic, partition, message, error, kind, attempts: attempt }, heartbeat);
            return;
          }
          this.logger.warn(
            { ...where, err: error, kind, attempt, retryInMs: decision.delayMs },
            'event failed: retrying',
          );
          await this.pause(decision.delayMs, heartbeat);
        }
      },
    });
    // ready only once the group has its partitions
    await joined;
    this.groups.set(group, topics);
    // from 0, so the first message parked shows as an increase
    for (const topic of topics) deadLetters.inc({ topic, group }, 0);
    if (!this.lagTimer) {
      this.lagTimer = setInterval(() => void this.sampleLag(), LAG_SAMPLE_MS);
      this.lagTimer.unref();
    }
    void this.sampleLag();
  }

  /**
   * Lag per group and topic: the partitions' log end offsets less the group's committed offsets
   * (a partition the group never committed counts from the log start). Every replica of a service
   * reports the same groups: dashboards take the max.
   */
  private async sampleLag(): Promise<void> {
    try {
      await this.admin.connect();
      for (const [groupId, topics] of this.groups) {
        const committed = await this.admin.fetchOffsets({ groupId, topics });
        for (const { topic, partitions } of committed) {
          const ends = await this.admin.fetchTopicOffsets(topic);
          let lag = 0;
          for (const end of ends) {
            const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
          }
          consumerLag.set({ group: groupId, topic }, lag);
        }
      }
    } catch (err) {
      // the broker is away: the last values stay, readiness reports it
      this.logger.debug({ err }, 'consumer lag not sampled');
    }
  }

  /** Publishes the message to `<topic>.dlq` (retrying until the broker takes it), then counts and logs it. */
  private async park(
    failed: {
      group: string;
      topic: string;
      partition: number;
      message: KafkaMessage;
      error: unknown;
      kind: FailureKind;
      attempts: number;
    },
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const { group, topic, partition, message, error, kind, attempts } = failed;
    const reason = describeFailure(error);
    const headers: IHeaders = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = value;
    Object.assign(headers, {
      [DeadLetterHeaders.error]: reason,
      [DeadLetterHeaders.kind]: kind,
      [DeadLetterHeaders.topic]: topic,
      [DeadLetterHeaders.partition]: String(partition),
      [DeadLetterHeaders.offset]: message.offset,
      [DeadLetterHeaders.group]: group,
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.parkedAt]: new Date().toISOString(),
    });
    const dlq = deadLetterTopic(topic);
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.getProducer();
        await producer.send({
          topic: dlq,
          acks: ACKS_ALL,
          messages: [{ key: message.key, value: message.value, headers }],
        });
        break;
      } catch (err) {
        // never skip a message that is not parked: it stays where it is until the broker takes it
        this.logger.error({ err, topic, partition, offset: message.offset, dlq }, 'could not park an event: retrying');
        await this.pause(backoffDelay(attempt, this.retryPolicy), heartbeat);
      }
    }
    deadLetters.inc({ topic, group });
    this.logger.error(
      { topic, partition, offset: message.offset, group, dlq, kind, attempts, err: error },
      `event parked on ${dlq}: ${reason}`,
    );
  }

  /** Waits `ms`, keeping the group membership alive; gives up when the bus closes. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.closing) throw new BusClosing('closing: the event will be delivered again');
      await new Promise((r) => setTimeout(r, Math.min(500, until - Date.now())));
      // a rebalance throws here: the partition may have a new owner, who gets the event
      await heartbeat();
    }
  }

  /** Readiness: the broker answers a metadata request. */
  async ping(): Promise<void> {
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  /**
   * Stops every consumer fetching and waits for the events they are handling (kafkajs commits
   * what finished); an event waiting to be retried is given up and delivered again to the next
   * owner. The producer stays: work still draining may publish.
   */
  async stopConsuming(): Promise<void> {
    this.closing = true;
    clearInterval(this.lagTimer);
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    const producer = await this.producer?.catch(() => undefined);
    await Promise.allSettled([producer?.disconnect(), this.admin.disconnect()]);
  }
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    text[name] = (Array.isArray(value) ? value[value.length - 1] : value).toString();
  }
  return text;
}
