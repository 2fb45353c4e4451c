import autocannon from 'autocannon';

export interface Figures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Headers per request, in turn (e.g. one token per simulated shopper). */
  headers: Record<string, string>[];
  method?: 'GET' | 'POST';
  body?: (i: number) => string;
}

/** Closed-loop load with autocannon; latencies in milliseconds. */
export async function measure(name: string, options: LoadOptions): Promise<Figures> {
  let i = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: options.method ?? 'GET',
    requests: [
      {
        setupRequest: (request) => {
          const n = i++;
          return {
            ...request,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              ...options.headers[n % options.headers.length],
            },
            body: options.body?.(n),
          };
        },
      },
    ],
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p95: p95(result),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** autocannon reports p90 and p97.5; p95 is read between them (linear). */
function p95(result: autocannon.Result): number {
  const { p90, p97_5 } = result.latency;
  return Math.round((p90 + (5 / 7.5) * (p97_5 - p90)) * 100) / 100;
}

export function table(rows: Figures[]): string {
  const header = ['phase', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'];
  const lines = rows.map((r) => [
    r.name,
    r.requestsPerSecond.toFixed(0),
    String(r.p50),
    String(r.p95),
    String(r.p99),
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  return [header, ...lines].map((l) => l.map((v, c) => v.padEnd(widths[c])).join('  ')).join('\n');
}
