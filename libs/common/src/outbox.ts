import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { backoffDelay, classifyFailure, describeFailure, FailureKind } from './failures';
import { DependencyRegistry } from './health';
import { KafkaBus, outboxParked } from './kafka';
import { LOGGER } from './common.module';
import { OutboxBacklog, watchOutbox } from './metrics';

/**
 * Transactional outbox: an event is a row written with the state change that causes it (in the
 * same MySQL transaction, or the same MongoDB write sequence under the change's lock), and the
 * relay publishes it afterwards. No event is lost when a process dies between the change and the
 * publish; one may be published twice, which consumers absorb (they dedupe on the `event-id`
 * header, or on the state they change). Each store keeps its rows its own way (`OutboxStore`);
 * the relay is the same for all.
 */
export interface OutboxEntry {
  /** The row's id in its store. */
  id: string;
  topic: string;
  key?: string;
  payload: object;
  /** The `event-id` header consumers dedupe on. */
  eventId: string;
  /** Failed attempts of this row alone (a broker that is down counts none). */
  attempts: number;
}

/** Rows taken from a store for one round; the relay says what went out and what failed. */
export interface OutboxBatch {
  entries: OutboxEntry[];
  remove(ids: string[]): Promise<void>;
  /** Not before `at` (backoff after a failure of this row alone). */
  retryLater(entry: OutboxEntry, attempts: number, lastError: string, at: Date): Promise<void>;
  /** It can never be published: left in the store for an operator. */
  park(entry: OutboxEntry, attempts: number, lastError: string): Promise<void>;
}

export interface OutboxStore {
  /** The table or collection, as the `outbox` label of the backlog metrics. */
  readonly name: string;
  /**
   * Runs `work` on up to `limit` due, unparked rows in the order they were written. When `work`
   * throws, every row stays as it was.
   */
  withBatch(limit: number, work: (batch: OutboxBatch) => Promise<number>): Promise<number>;
  backlog(): Promise<OutboxBacklog>;
}

export const OUTBOX_STORE = Symbol('OUTBOX_STORE');

/**
 * Outbox topics handled in process instead of Kafka: work on another store that must follow a
 * commit exactly (e.g. giving a stock reservation back in Redis). Handlers must be idempotent.
 */
@Injectable()
export class OutboxHandlers {
  private readonly handlers = new Map<string, (payload: object) => Promise<void>>();

  register(topic: string, handler: (payload: object) => Promise<void>): void {
    this.handlers.set(topic, handler);
  }

  get(topic: string): ((payload: object) => Promise<void>) | undefined {
    return this.handlers.get(topic);
  }
}

const BATCH = 500;
/**
 * Between rounds that found less than a batch: IDLE_MIN_MS, doubling while rounds find nothing up
 * to IDLE_MAX_MS (an idle relay costs the store a round a second, not ten). A row written in this
 * process (`outboxWritten`) brings the next round within IDLE_MIN_MS; one written elsewhere (another
 * replica, whose relay is told, or a cron job) goes out within IDLE_MAX_MS.
 */
const IDLE_MIN_MS = 100;
const IDLE_MAX_MS = 1000;

/** The relays of this process, told when a row is written here. */
const relays = new Set<OutboxRelay>();

/** Writers call this once they wrote an outbox row (in a transaction: once it is written there). */
export function outboxWritten(): void {
  for (const relay of relays) relay.nudge();
}

/**
 * Publishes outbox rows in order and removes them. Several replicas relay side by side (a store
 * that can lock rows hands each to one of them; otherwise a row may go out twice).
 *
 * A failure that is the broker's or a store's (down, electing leaders) leaves the whole batch for
 * the next round, in order, with no attempt counted. A row that fails on its own (too large, a
 * topic that does not exist, a handler refusing its payload) is retried with backoff while later
 * rows go on, and parked (`runrun_outbox_parked_total`) at once when it can never succeed or after
 * `OUTBOX_MAX_ATTEMPTS`. Parked rows stay in the store for an operator: clearing their failure
 * sends them again.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private loop?: Promise<void>;

  /** Ends the wait between rounds at once (shutdown). */
  private wake?: () => void;
  /** Shortens an idle wait to IDLE_MIN_MS from now (a row was written). */
  private hurry?: () => void;
  private idleMs = IDLE_MIN_MS;

  constructor(
    @Inject(OUTBOX_STORE) private readonly store: OutboxStore,
    private readonly kafka: KafkaBus,
    private readonly handlers: OutboxHandlers,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dependencies: DependencyRegistry,
  ) {}

  onApplicationBootstrap(): void {
    watchOutbox(this.store.name, () => this.store.backlog());
    relays.add(this);
    this.loop = this.run();
    // stops with the other intakes on shutdown, its batch in flight finished, before the stores close
    this.dependencies.onStop(`outbox relay (${this.store.name})`, () => this.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    relays.delete(this);
    this.wake?.();
    await this.loop;
  }

  /** A row was written: the next round comes within IDLE_MIN_MS (after the round under way, if any). */
  nudge(): void {
    this.idleMs = IDLE_MIN_MS;
    this.hurry?.();
  }

  /** Waits `ms`; an idle wait is shortened by `nudge`, a wait after a failure is not. */
  private pause(ms: number, idle = false): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.wake = this.hurry = undefined;
        resolve();
      };
      let timer = setTimeout(end, ms);
      const until = Date.now() + ms;
      this.wake = end;
      this.hurry = idle
        ? () => {
            if (until - Date.now() <= IDLE_MIN_MS) return;
            clearTimeout(timer);
            timer = setTimeout(end, IDLE_MIN_MS);
          }
        : undefined;
    });
  }

  private async run(): Promise<void> {
    let outage = 0;
    while (!this.stopped) {
      let sent = 0;
      try {
        sent = await this.relayBatch();
        outage = 0;
      } catch (err) {
        outage++;
        this.logger.warn({ err, outbox: this.store.name }, 'outbox relay will retry');
        if (!this.stopped) await this.pause(Math.min(1000 * outage, 5000));
      }
      if (sent >= BATCH || this.stopped) continue;
      if (sent > 0) this.idleMs = IDLE_MIN_MS;
      const idle = this.idleMs;
      // the next idle wait doubles unless a row is written meanwhile (nudge)
      this.idleMs = Math.min(idle * 2, IDLE_MAX_MS);
      await this.pause(idle, true);
    }
  }

  /**
   * One batch: handle or publish, remove what went out, record what failed. Throws (leaving every
   * row as it was) when the broker or a store is away.
   */
  relayBatch(): Promise<number> {
    return this.store.withBatch(BATCH, async (batch) => {
      const done: string[] = [];
      const failed: { entry: OutboxEntry; error: unknown; kind: FailureKind }[] = [];
      const fail = (entry: OutboxEntry, error: unknown) => {
        const kind = classifyFailure(error);
        if (kind === 'transient') throw error; // the whole batch waits for the server
        failed.push({ entry, error, kind });
      };
      const byTopic = new Map<string, OutboxEntry[]>();
      for (const entry of batch.entries) {
        const local = this.handlers.get(entry.topic);
        if (!local) {
          byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry]);
          continue;
        }
        try {
          await local(entry.payload);
          done.push(entry.id);
        } catch (error) {
          fail(entry, error);
        }
      }
      for (const [topic, entries] of byTopic) {
        try {
          await this.kafka.publishMany(topic, entries.map(toMessage));
          done.push(...entries.map((e) => e.id));
        } catch (error) {
          if (classifyFailure(error) === 'transient') throw error;
          // find the rows at fault: one by one, the others go out
          for (const entry of entries) {
            try {
              await this.kafka.publishMany(topic, [toMessage(entry)]);
              done.push(entry.id);
            } catch (rowError) {
              fail(entry, rowError);
            }
          }
        }
      }
      if (done.length) await batch.remove(done);
      for (const { entry, error, kind } of failed) await this.recordFailure(batch, entry, error, kind);
      return done.length;
    });
  }

  private async recordFailure(batch: OutboxBatch, entry: OutboxEntry, error: unknown, kind: FailureKind) {
    const attempts = entry.attempts + 1;
    const lastError = describeFailure(error);
    const log = { outbox: this.store.name, outboxId: entry.id, topic: entry.topic, key: entry.key, attempts, kind };
    if (kind === 'permanent' || attempts >= this.kafka.outboxMaxAttempts) {
      await batch.park(entry, attempts, lastError);
      outboxParked.inc({ topic: entry.topic });
      this.logger.error({ ...log, err: error }, `outbox row parked: ${lastError}`);
      return;
    }
    const at = new Date(Date.now() + backoffDelay(attempts, this.kafka.retryPolicy));
    await batch.retryLater(entry, attempts, lastError, at);
    this.logger.warn({ ...log, err: error }, 'outbox row failed: retrying');
  }
}

const toMessage = (e: OutboxEntry) => ({ payload: e.payload, options: { key: e.key, eventId: e.eventId } });

/** A service's outbox: its store (also injectable as itself, for writers), the in-process handlers, the relay. */
export const outboxProviders = (store: Type<OutboxStore>): Provider[] => [
  store,
  { provide: OUTBOX_STORE, useExisting: store },
  OutboxHandlers,
  OutboxRelay,
];
