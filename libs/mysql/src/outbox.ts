import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KafkaBus, LOGGER } from '@runrun/common';
import type { Logger } from 'pino';
import { Column, CreateDateColumn, DataSource, Entity, EntityManager, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Transactional outbox: an event is a row written in the same transaction as the state change
 * that causes it, and the relay publishes it afterwards. No event is lost when a process dies
 * between the commit and the publish; one may be published twice, which consumers absorb (they
 * dedupe on the `event-id` header, the row id, or on the state they change).
 */
@Entity({ name: 'outbox_events' })
export class OutboxEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ length: 100 })
  topic!: string;

  @Column({ name: 'event_key', type: 'varchar', length: 255, nullable: true })
  key!: string | null;

  @Column({ type: 'json' })
  payload!: object;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

/** Adds an event to the transaction `tx`. */
export async function enqueueEvent(tx: EntityManager, topic: string, payload: object, key?: string): Promise<void> {
  await tx.insert(OutboxEvent, { topic, payload, key: key ?? null });
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
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaBus,
    private readonly handlers: OutboxHandlers,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let sent = 0;
      try {
        sent = await this.relayBatch();
      } catch (err) {
        this.logger.warn({ err }, 'outbox relay will retry');
        await sleep(1000);
      }
      if (sent < BATCH) await sleep(IDLE_MS);
    }
  }

  /** One batch in one transaction: handle or publish, then delete; a failure leaves the rows. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = await tx
        .getRepository(OutboxEvent)
        .createQueryBuilder('e')
        .orderBy('e.id')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (!rows.length) return 0;
      const byTopic = new Map<string, OutboxEvent[]>();
      for (const row of rows) {
        const local = this.handlers.get(row.topic);
        if (local) await local(row.payload);
        else byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      }
      for (const [topic, events] of byTopic) {
        await this.kafka.publishMany(
          topic,
          events.map((e) => ({
            payload: e.payload,
            options: { key: e.key ?? undefined, eventId: `${topic}:${e.id}` },
          })),
        );
      }
      await tx.delete(
        OutboxEvent,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
