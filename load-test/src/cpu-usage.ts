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
