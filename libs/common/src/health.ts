import { BeforeApplicationShutdown, Controller, Get, Injectable, OnApplicationShutdown, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';

export type ReadinessCheck = () => Promise<unknown>;

/**
 * Stops taking new work and resolves once the work in flight is done. `force` is aborted when
 * the drain bound has passed: whatever still runs is cut (e.g. gRPC forceShutdown).
 */
export type Stopper = (force: AbortSignal) => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1500;
export const DEFAULT_DRAIN_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The servers a service depends on: each connection registers its readiness check (run by
 * /health/ready) and how to close it. Shutdown runs in two steps, so no work in flight loses a
 * store under it:
 * 1. stop (before Nest's own shutdown hooks): every intake registered with `onStop` (the HTTP
 *    server, the gRPC server, Kafka consumers, outbox relays) stops taking new work at once, and
 *    the work in flight drains, bounded by `drainMs`;
 * 2. close (after the application's own hooks): the stores and clients, all at once.
 */
@Injectable()
export class DependencyRegistry implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly stoppers: { name: string; stop: Stopper }[] = [];
  private readonly closers: { name?: string; close: () => Promise<unknown> }[] = [];
  private stopping?: Promise<void>;
  private closing?: Promise<void>;
  private drainMs = DEFAULT_DRAIN_MS;

  constructor(private readonly logger?: Logger) {}

  /** How long the work in flight may take to drain on shutdown. */
  setDrainBound(ms: number): void {
    this.drainMs = ms;
  }

  get drainBound(): number {
    return this.drainMs;
  }

  register(name: string, check: ReadinessCheck, close?: () => Promise<unknown>): void {
    this.checks.set(name, check);
    if (close) this.closers.push({ name, close });
  }

  /** Closed with the stores, once nothing runs any more (clients of other services, mail transport). */
  onShutdown(close: () => Promise<unknown>): void {
    this.closers.push({ close });
  }

  /** An intake of work, stopped first on shutdown (see `Stopper`). */
  onStop(name: string, stop: Stopper): void {
    this.stoppers.push({ name, stop });
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.close();
  }

  /** Step 1, once: every intake stops at once, then waits for its work in flight (bounded). */
  stop(): Promise<void> {
    this.stopping ??= this.runStoppers();
    return this.stopping;
  }

  private async runStoppers(): Promise<void> {
    if (!this.stoppers.length) return;
    const force = new AbortController();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'bound'>((resolve) => {
      timer = setTimeout(() => resolve('bound'), this.drainMs);
    });
    const pending = new Set(this.stoppers.map((s) => s.name));
    const all = Promise.allSettled(
      this.stoppers.map(async ({ name, stop }) => {
        try {
          await stop(force.signal);
          this.logger?.info({ stopped: name, ms: Date.now() - started }, `${name} stopped`);
        } catch (err) {
          this.logger?.warn({ err, stopped: name }, `${name} stopped with an error`);
        } finally {
          pending.delete(name);
        }
      }),
    );
    const outcome = await Promise.race([all.then(() => 'drained' as const), bound]);
    clearTimeout(timer);
    if (outcome === 'bound') {
      this.logger?.warn({ pending: [...pending], drainMs: this.drainMs }, 'drain bound reached: cutting the rest');
      force.abort();
      // what is cut settles quickly; never wait on it for long
      await Promise.race([all, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
  }

  /** Step 2, once: the stores and clients. */
  close(): Promise<void> {
    this.closing ??= this.runClosers();
    return this.closing;
  }

  private async runClosers(): Promise<void> {
    if (this.closers.length) this.logger?.info('closing stores');
    await Promise.allSettled(
      this.closers.map(async ({ name, close }) => {
        try {
          await withTimeout(close(), 5000);
          if (name) this.logger?.info({ closed: name }, `${name} closed`);
        } catch (err) {
          this.logger?.warn({ err, closed: name }, `${name ?? 'client'} did not close cleanly`);
        }
      }),
    );
  }

  async run(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(
      entries.map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, 'up'] as const;
        } catch (error) {
          return [name, `down: ${(error as Error).message}`] as const;
        }
      }),
    );
    return { ready: results.every(([, state]) => state === 'up'), checks: Object.fromEntries(results) };
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly dependencies: DependencyRegistry) {}

  /** The process is alive (event loop answers). */
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  /** 200 only when every server this service uses answers; 503 names the ones that do not. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { ready, checks } = await this.dependencies.run();
    await reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
  }
}
