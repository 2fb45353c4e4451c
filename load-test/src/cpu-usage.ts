import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU time a process has used so far (user + system), in milliseconds, from /proc. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Starts counting the CPU of named groups of processes; `stop()` gives each group's milliseconds. */
export function startCpuMeter(groups: Map<string, number[]>): { stop: () => Map<string, number> } {
  const read = () => new Map([...groups].map(([name, pids]) => [name, pids.reduce((sum, p) => sum + cpuMs(p), 0)]));
  const before = read();
  return {
    stop: () => {
      const after = read();
      return new Map([...after].map(([name, ms]) => [name, ms - before.get(name)!]));
    },
  };
}

/**
 * Waits until the processes together use less than `busyMs` of CPU in a second (0.3 of a core:
 * idle services, Kafka and FerretDB use about that much), at most `maxSeconds`, so that a phase
 * does not start while the previous one's aftermath (events, sweeps) still runs. Says what it
 * waited for.
 */
export async function settle(groups: Map<string, number[]>, busyMs = 300, maxSeconds = 60): Promise<string> {
  const started = performance.now();
  let first: string | undefined;
  for (;;) {
    const meter = startCpuMeter(groups);
    await new Promise((r) => setTimeout(r, 1000));
    const used = [...meter.stop()].sort((a, b) => b[1] - a[1]);
    const total = used.reduce((sum, [, ms]) => sum + ms, 0);
    const busiest = `${total.toFixed(0)} ms CPU a second: ${used
      .slice(0, 3)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
      .join(', ')}`;
    first ??= busiest;
    const waited = (performance.now() - started) / 1000;
    if (total < busyMs) return `settled after ${waited.toFixed(0)} s (at first ${first})`;
    if (waited >= maxSeconds) return `not settled after ${maxSeconds} s (at first ${first}; now ${busiest})`;
  }
}
