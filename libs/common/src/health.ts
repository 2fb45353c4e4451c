import { Controller, Get, Injectable, OnApplicationShutdown, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The servers a service depends on: each connection registers its readiness check (run by
 * /health/ready) and how to close it (run once on shutdown, after the HTTP server stopped).
 */
@Injectable()
export class DependencyRegistry implements OnApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly closers: (() => Promise<unknown>)[] = [];

  register(name: string, check: ReadinessCheck, close?: () => Promise<unknown>): void {
    this.checks.set(name, check);
    if (close) this.closers.push(close);
  }

  onShutdown(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closers.map((close) => close()));
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
