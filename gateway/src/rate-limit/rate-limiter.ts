/**
 * Requests per client per second, counted in this gateway process (a fixed one-second window).
 * With N gateway replicas a client may get up to N × the limit; the limit is there to stop one
 * client from flooding the services, not to meter them exactly.
 */
export class RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(private readonly perSecond: number) {}

  /** False when `client` is over its limit in the current second. A limit of 0 disables it. */
  take(client: string, now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    const window = Math.floor(now / 1000);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(client) ?? 0) + 1;
    this.counts.set(client, count);
    return count <= this.perSecond;
  }
}
