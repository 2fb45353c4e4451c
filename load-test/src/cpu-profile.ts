import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (`process.hrtime`), shared by every process here. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of time, microseconds on the monotonic clock (`process.hrtime.bigint() / 1000n`). */
export type Window = [startUs: number, endUs: number];

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * What took the CPU in the `.cpuprofile` files that `node --cpu-prof` wrote into `dir`, counting
 * only the samples taken within `windows` (all when none) and leaving idle samples out, as
 * "share of the busy samples  function  file:line":
 * - `self`: the functions running when sampled;
 * - `own`: RUNRUN's own functions (a service's or a library's `dist/`) anywhere on the stack, so
 *   the share of the work each of its steps causes, whatever it calls.
 */
export function topFrames(dir: string, windows: Window[] = [], count = 15): { self: string[]; own: string[] } {
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  let total = 0;
  const within = (t: number) => !windows.length || windows.some(([start, end]) => t >= start && t <= end);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
    let t = profile.startTime;
    profile.samples.forEach((id, k) => {
      t += profile.timeDeltas[k];
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(idle)' || !within(t)) return;
      total++;
      self.set(describe(frame), (self.get(describe(frame)) ?? 0) + 1);
      const seen = new Set<string>();
      for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
        const callFrame = byId.get(node)!.callFrame;
        if (!/\/dist\//.test(callFrame.url) || callFrame.url.includes('/node_modules/')) continue;
        seen.add(describe(callFrame));
      }
      for (const key of seen) own.set(key, (own.get(key) ?? 0) + 1);
    });
  }
  const top = (counts: Map<string, number>) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([frame, n]) => `${((n / total) * 100).toFixed(1).padStart(5)} %  ${frame}`);
  return { self: top(self), own: top(own) };
}

function describe(frame: ProfileNode['callFrame']): string {
  const where = frame.url
    ? `${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(?=[^/]+\/dist\/)/, '')}:${frame.lineNumber + 1}`
    : '';
  return `${frame.functionName || '(anonymous)'}  ${where}`.trim();
}
