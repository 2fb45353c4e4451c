import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  backoffDelay,
  classifyFailure,
  DependencyRegistry,
  describeFailure,
  FailureKind,
  KafkaBus,
  LOGGER,
  outboxParked,
  watchOutbox,
} from '@runrun/common';
import type { Logger } from 'pino';
import { Column, CreateDateColumn, DataSource, Entity, EntityManager, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Transactional outbox: an event is a row written in the same transaction as the state change
 * that causes it, and the relay publishes it afterwards. No event is lost when a process dies
 * between the commit and the publish; one may be published twice, which consumers absorb (they
 * dedupe on the `event-id` header, or on the state they change).
 */
@Entity({ name: 'outbox_events' })
export class OutboxEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /**
   * The event's id for consumers (`event-id` header), a UUID drawn when the row is written: the
   * row id is not one, since a restored or recreated table counts from 1 again. Null on rows
   * written before the column existed.
   */
  @Column({ name: 'event_id', type: 'char', length: 36, nullable: true })
  eventId!: string | null;

  @Column({ length: 100 })
  topic!: string;

  @Column({ name: 'event_key', type: 'varchar', length: 255, nullable: true })
  key!: string | null;

  @Column({ type: 'json' })
  payload!: object;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  /** Failed attempts of this row alone (a broker that is down counts none). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Not before this time (backoff after a failure of this row alone). */
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true })
  nextAttemptAt!: Date | null;

  /** Set when the row is parked: it can never be published; the relay leaves it for an operator. */
  @Column({ name: 'failed_at', type: 'datetime', precision: 3, nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;
}

/** Adds an event to the transaction `tx`. */
export async function enqueueEvent(tx: EntityManager, topic: string, payload: object, key?: string): Promise<void> {
  await tx.insert(OutboxEvent, { topic, payload, key: key ?? null, eventId: randomUUID() });
}

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
const IDLE_MS = 100;

/**
 * Publishes outbox rows in id order and deletes them. Several replicas relay side by side: each
 * takes a batch with SKIP LOCKED, so a row goes out through one of them.
 *
 * A failure that is the broker's or a store's (down, electing leaders) leaves the whole batch for
 * the next round, in order, with no attempt counted. A row that fails on its own (too large, a
 * topic that does not exist, a handler refusing its payload) is retried with backoff while later
 * rows go on, and parked (`failed_at`, `last_error`, `runrun_outbox_parked_total`) at once when it
 * can never succeed or after `OUTBOX_MAX_ATTEMPTS`. Parked rows stay in the table for an operator:
 * clearing `failed_at` sends one again.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private loop?: Promise<void>;

  /** Ends the wait between rounds at once (shutdown). */
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaBus,
    private readonly handlers: OutboxHandlers,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dependencies: DependencyRegistry,
  ) {}

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }

  onApplicationBootstrap(): void {
    // the age in the database's own clock: the rows' created_at were written by it
    watchOutbox('outbox_events', async () => {
      const [row] = (await this.dataSource.query(
        'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(6)) AS age ' +
          'FROM outbox_events WHERE failed_at IS NULL',
      )) as { n: string | number; age: string | number | null }[];
      return { rows: Number(row.n), oldestAgeSeconds: Math.max(0, Number(row.age ?? 0) / 1e6) };
    });
    this.loop = this.run();
    // stops with the other intakes on shutdown, its batch in flight finished, before the stores close
    this.dependencies.onStop('outbox relay', () => this.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
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
        this.logger.warn({ err }, 'outbox relay will retry');
        if (!this.stopped) await this.pause(Math.min(1000 * outage, 5000));
      }
      if (sent < BATCH && !this.stopped) await this.pause(IDLE_MS);
    }
  }

  /**
   * One batch in one transaction: handle or publish, delete what went out, record what failed.
   * Throws (leaving every row as it was) when the broker or a store is away.
   */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = await tx
        .getRepository(OutboxEvent)
        .createQueryBuilder('e')
        .where('e.failed_at IS NULL')
        .andWhere('(e.next_attempt_at IS NULL OR e.next_attempt_at <= NOW(3))')
        .orderBy('e.id')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (!rows.length) return 0;
      const done: string[] = [];
      const failed: { row: OutboxEvent; error: unknown; kind: FailureKind }[] = [];
      const fail = (row: OutboxEvent, error: unknown) => {
        const kind = classifyFailure(error);
        if (kind === 'transient') throw error; // the whole batch waits for the server
        failed.push({ row, error, kind });
      };
      const byTopic = new Map<string, OutboxEvent[]>();
      for (const row of rows) {
        const local = this.handlers.get(row.topic);
        if (!local) {
          byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
          continue;
        }
        try {
          await local(row.payload);
          done.push(row.id);
        } catch (error) {
          fail(row, error);
        }
      }
      for (const [topic, events] of byTopic) {
        try {
          await this.kafka.publishMany(topic, events.map(toMessage));
          done.push(...events.map((e) => e.id));
        } catch (error) {
          if (classifyFailure(error) === 'transient') throw error;
          // find the rows at fault: one by one, the others go out
          for (const row of events) {
            try {
              await this.kafka.publish(row.topic, row.payload, toMessage(row).options);
              done.push(row.id);
            } catch (rowError) {
              fail(row, rowError);
            }
          }
        }
      }
      if (done.length) await tx.delete(OutboxEvent, done);
      for (const { row, error, kind } of failed) await this.recordFailure(tx, row, error, kind);
      return done.length;
    });
  }

  private async recordFailure(tx: EntityManager, row: OutboxEvent, error: unknown, kind: FailureKind): Promise<void> {
    const attempts = row.attempts + 1;
    const lastError = describeFailure(error);
    const park = kind === 'permanent' || attempts >= this.kafka.outboxMaxAttempts;
    if (park) {
      await tx.update(OutboxEvent, { id: row.id }, { attempts, lastError, failedAt: new Date() });
      outboxParked.inc({ topic: row.topic });
      this.logger.error(
        { outboxId: row.id, topic: row.topic, key: row.key, attempts, kind, err: error },
        `outbox row parked: ${lastError}`,
      );
      return;
    }
    const delayMs = backoffDelay(attempts, this.kafka.retryPolicy);
    await tx.update(
      OutboxEvent,
      { id: row.id },
      { attempts, lastError, nextAttemptAt: new Date(Date.now() + delayMs) },
    );
    this.logger.warn({ outboxId: row.id, topic: row.topic, attempts, kind, err: error }, 'outbox row failed: retrying');
  }
}

const toMessage = (e: OutboxEvent) => ({
  payload: e.payload,
  // a row written before event ids existed keeps the id it would have had then
  options: { key: e.key ?? undefined, eventId: e.eventId ?? `${e.topic}:${e.id}` },
});
