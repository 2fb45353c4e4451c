import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OutboxBacklog, OutboxBatch, OutboxEntry, OutboxStore, outboxWritten } from '@runrun/common';
import { Column, CreateDateColumn, DataSource, Entity, EntityManager, PrimaryGeneratedColumn } from 'typeorm';

/** The MySQL outbox's rows: written in the transaction of the change that causes the event. */
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
  // the relay's next round comes within its shortest wait, by when the transaction has committed
  outboxWritten();
}

/**
 * The MySQL outbox for the relay: each batch in one transaction, its rows taken with SKIP LOCKED,
 * so replicas relaying side by side each send different rows.
 */
@Injectable()
export class MysqlOutboxStore implements OutboxStore {
  readonly name = 'outbox_events';

  constructor(private readonly dataSource: DataSource) {}

  withBatch(limit: number, work: (batch: OutboxBatch) => Promise<number>): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = await tx
        .getRepository(OutboxEvent)
        .createQueryBuilder('e')
        .where('e.failed_at IS NULL')
        .andWhere('(e.next_attempt_at IS NULL OR e.next_attempt_at <= NOW(3))')
        .orderBy('e.id')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (!rows.length) return 0;
      return work({
        entries: rows.map(toEntry),
        remove: async (ids) => void (await tx.delete(OutboxEvent, ids)),
        retryLater: async (entry, attempts, lastError, at) =>
          void (await tx.update(OutboxEvent, { id: entry.id }, { attempts, lastError, nextAttemptAt: at })),
        park: async (entry, attempts, lastError) =>
          void (await tx.update(OutboxEvent, { id: entry.id }, { attempts, lastError, failedAt: new Date() })),
      });
    });
  }

  // the age in the database's own clock: the rows' created_at were written by it
  async backlog(): Promise<OutboxBacklog> {
    const [row] = (await this.dataSource.query(
      'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(6)) AS age ' +
        'FROM outbox_events WHERE failed_at IS NULL',
    )) as { n: string | number; age: string | number | null }[];
    return { rows: Number(row.n), oldestAgeSeconds: Math.max(0, Number(row.age ?? 0) / 1e6) };
  }
}

const toEntry = (e: OutboxEvent): OutboxEntry => ({
  id: e.id,
  topic: e.topic,
  key: e.key ?? undefined,
  payload: e.payload,
  // a row written before event ids existed keeps the id it would have had then
  eventId: e.eventId ?? `${e.topic}:${e.id}`,
  attempts: e.attempts,
});
