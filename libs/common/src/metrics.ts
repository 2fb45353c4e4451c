import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process; services add their own metrics to it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** Times every request by its route pattern (not the raw URL, so ids do not explode the labels). */
export function instrumentHttp(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

/** What an outbox holds right now: rows waiting to go out (parked ones not counted) and the oldest's age. */
export interface OutboxBacklog {
  rows: number;
  oldestAgeSeconds: number;
}

const outboxReaders = new Map<string, () => Promise<OutboxBacklog>>();
const outboxAge = new Gauge({
  name: 'runrun_outbox_oldest_age_seconds',
  help: 'Age of the oldest outbox row waiting to go out (0 when none), per outbox',
  labelNames: ['outbox'] as const,
  registers: [metricsRegistry],
});
new Gauge({
  name: 'runrun_outbox_backlog',
  help: 'Outbox rows waiting to go out (parked rows not counted), per outbox',
  labelNames: ['outbox'] as const,
  registers: [metricsRegistry],
  async collect() {
    for (const [outbox, read] of outboxReaders) {
      try {
        const { rows, oldestAgeSeconds } = await read();
        this.set({ outbox }, rows);
        outboxAge.set({ outbox }, oldestAgeSeconds);
      } catch {
        // its store is away: the last values stay (readiness reports the store)
      }
    }
  },
});

/** Exports the backlog of outbox `name` (read when scraped). */
export function watchOutbox(name: string, read: () => Promise<OutboxBacklog>): void {
  outboxReaders.set(name, read);
}
