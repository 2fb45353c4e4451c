import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OutboxBacklog, OutboxBatch, OutboxStore, outboxWritten } from '@runrun/common';
import { Connection, Model, Schema } from 'mongoose';
import { MONGO } from '../mongo';

/**
 * An event waiting in the product database (`outbox_events`). A row that fails on its own counts
 * `attempts`, waits until `nextAttemptAt`, and is parked (`failedAt`, `lastError`) when it can
 * never be published.
 */
interface OutboxRow {
  _id: string;
  eventId: string;
  topic: string;
  key?: string;
  payload: object;
  attempts: number;
  nextAttemptAt?: Date;
  failedAt?: Date;
  lastError?: string;
  createdAt?: Date;
}

const outboxSchema = new Schema<OutboxRow>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    topic: { type: String, required: true },
    key: String,
    payload: { type: Schema.Types.Mixed, required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: Date,
    failedAt: Date,
    lastError: String,
  },
  {
    collection: 'outbox_events',
    timestamps: { createdAt: true, updatedAt: false },
    versionKey: false,
    minimize: false,
  },
);

/**
 * Product's outbox, for its writers (`enqueue`) and for the relay (`OutboxStore`). No transaction
 * spans a row and the change it reports (FerretDB has none): each writer says when it writes its
 * row and what a crash in between does.
 */
@Injectable()
export class MongoOutbox implements OutboxStore {
  readonly name = 'outbox_events';
  private readonly rows: Model<OutboxRow>;

  constructor(@Inject(MONGO) connection: Connection) {
    this.rows = connection.model<OutboxRow>('OutboxEvent', outboxSchema);
  }

  /** Adds an event; with `id`, only once (a retried step finds its row there). */
  async enqueue(topic: string, payload: object, key?: string, id?: string): Promise<void> {
    const eventId = randomUUID();
    if (!id) {
      await this.rows.create({ _id: eventId, eventId, topic, key, payload });
    } else {
      const row = { eventId, topic, key, payload, attempts: 0, createdAt: new Date() };
      await this.rows.updateOne({ _id: id }, { $setOnInsert: row }, { upsert: true, timestamps: false }).exec();
    }
    outboxWritten();
  }

  async withBatch(limit: number, work: (batch: OutboxBatch) => Promise<number>): Promise<number> {
    const due = await this.rows
      .find({
        failedAt: { $exists: false },
        $or: [{ nextAttemptAt: { $exists: false } }, { nextAttemptAt: { $lte: new Date() } }],
      })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean()
      .exec();
    if (!due.length) return 0;
    return work({
      entries: due.map((row) => ({
        id: row._id,
        topic: row.topic,
        key: row.key,
        payload: row.payload,
        eventId: row.eventId,
        attempts: row.attempts ?? 0,
      })),
      remove: async (ids) => void (await this.rows.deleteMany({ _id: { $in: ids } }).exec()),
      retryLater: async (entry, attempts, lastError, nextAttemptAt) =>
        void (await this.rows.updateOne({ _id: entry.id }, { attempts, lastError, nextAttemptAt }).exec()),
      park: async (entry, attempts, lastError) =>
        void (await this.rows.updateOne({ _id: entry.id }, { attempts, lastError, failedAt: new Date() }).exec()),
    });
  }

  async backlog(): Promise<OutboxBacklog> {
    const waiting = { failedAt: { $exists: false } };
    const [rows, oldest] = await Promise.all([
      this.rows.countDocuments(waiting).exec(),
      this.rows.findOne(waiting).sort({ createdAt: 1 }).select({ createdAt: 1 }).lean().exec(),
    ]);
    const created = oldest?.createdAt?.getTime();
    return { rows, oldestAgeSeconds: created ? Math.max(0, (Date.now() - created) / 1000) : 0 };
  }
}
