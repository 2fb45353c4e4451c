import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/**
 * The functions that took the most CPU themselves (self time) in the `.cpuprofile` files that
 * `node --cpu-prof` wrote into `dir`, as "share of the busy samples  function  file:line" (idle
 * samples, the process waiting for I/O, left out).
 */
export function topFrames(dir: string, count = 15): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    for (const id of profile.samples) {
      const frame = frameOf.get(id)!;
      if (frame.functionName === '(idle)') continue;
      const where = frame.url
        ? `${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(?=[^/]+\/dist\/)/, '')}:${frame.lineNumber + 1}`
        : '';
      const key = `${frame.functionName || '(anonymous)'}  ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + 1);
      total++;
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, n]) => `${((n / total) * 100).toFixed(1).padStart(5)} %  ${frame}`);
}
