import type { DynamicModule, INestApplicationContext, Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createConnection } from 'mysql2/promise';
import pino, { Logger } from 'pino';

/**
 * For service specs: one service's own Nest module, started against the real local stores, with
 * the services around it (gRPC clients, Kafka) replaced by fakes at their provider.
 */

/** The local MySQL as the services' default account sees it. */
export const LOCAL_MYSQL = { host: '127.0.0.1', port: 3306, user: 'runrun', password: 'runrun' } as const;

/** Drops and creates `database`, so a spec starts from an empty one (the service creates its tables). */
export async function freshMysqlDatabase(database: string): Promise<void> {
  await onMysql(async (query) => {
    await query(`DROP DATABASE IF EXISTS \`${database}\``);
    await query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  });
}

export async function dropMysqlDatabase(database: string): Promise<void> {
  await onMysql((query) => query(`DROP DATABASE IF EXISTS \`${database}\``));
}

/** Rows of `sql` in `database`. */
export async function mysqlRows(database: string, sql: string, params: unknown[] = []) {
  return onMysql(async (query) => (await query(sql, params)) as Record<string, unknown>[], database);
}

async function onMysql<T>(
  use: (query: (sql: string, params?: unknown[]) => Promise<unknown>) => Promise<T>,
  database?: string,
) {
  const connection = await createConnection({ ...LOCAL_MYSQL, database });
  try {
    return await use(async (sql, params = []) => (await connection.query(sql, params))[0]);
  } finally {
    await connection.end();
  }
}

/** A logger that writes only what went wrong. */
export const quietLogger = (name: string): Logger => pino({ name, level: 'error' });

/**
 * The module `register` built, with providers replaced by value (`[token, value]`) and removed
 * (`[token, undefined]`): a gRPC client becomes a fake, an intake the spec does not exercise (a
 * gRPC server, a timer job, the outbox relay) is left out.
 */
export function withProviders(module: DynamicModule, changes: [unknown, unknown][]): DynamicModule {
  const tokenOf = (p: Provider) => (typeof p === 'function' ? p : p.provide);
  const providers: Provider[] = [];
  for (const provider of module.providers ?? []) {
    const change = changes.find(([token]) => token === tokenOf(provider));
    if (!change) providers.push(provider);
    else if (change[1] !== undefined) providers.push({ provide: change[0] as never, useValue: change[1] });
  }
  return { ...module, providers };
}

/** Starts the module's providers and lifecycle hooks, without HTTP. */
export async function startServiceModule(module: DynamicModule): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
}

interface SentEvent {
  topic: string;
  payload: object;
  options?: { key?: string; eventId?: string };
}
type Handler = (
  payload: unknown,
  meta: { topic: string; partition: number; offset: string; eventId: string; headers: Record<string, string> },
) => Promise<void>;

/**
 * Kafka at the producer and consumer boundary: what the service publishes is kept in `sent`;
 * `deliver` hands an event to the handler the service subscribed to its topic.
 */
export class FakeKafka {
  readonly sent: SentEvent[] = [];
  private readonly handlers = new Map<string, Handler>();
  readonly retryPolicy = { maxAttempts: 1, backoffMs: 1, maxBackoffMs: 1 };
  readonly outboxMaxAttempts = 1;
  private offset = 0;
  /** When it returns an error for one of a call's events, the call fails with it, nothing sent (as Kafka). */
  refuse?: (topic: string, payload: object) => Error | undefined;

  async publish(topic: string, payload: object, options: SentEvent['options'] = {}): Promise<void> {
    this.sent.push({ topic, payload, options });
  }

  async publishMany(topic: string, events: { payload: object; options?: SentEvent['options'] }[]): Promise<void> {
    for (const { payload } of events) {
      const error = this.refuse?.(topic, payload);
      if (error) throw error;
    }
    for (const { payload, options } of events) this.sent.push({ topic, payload, options });
  }

  async subscribe(_groupId: string, topics: string[], handler: Handler): Promise<void> {
    for (const topic of topics) this.handlers.set(topic, handler);
  }

  /** Runs the service's handler of `topic` on `payload`, as a delivery with event id `eventId`. */
  async deliver(topic: string, payload: unknown, eventId = `${topic}:${++this.offset}`): Promise<void> {
    const handler = this.handlers.get(topic);
    if (!handler) throw new Error(`the service does not consume ${topic}`);
    await handler(payload, { topic, partition: 0, offset: String(this.offset), eventId, headers: {} });
  }

  sentTo(topic: string): SentEvent[] {
    return this.sent.filter((e) => e.topic === topic);
  }

  async ping(): Promise<void> {}
  async stopConsuming(): Promise<void> {}
  async close(): Promise<void> {}
}
