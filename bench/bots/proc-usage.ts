/**
 * A process's CPU time and memory, read from Linux's `/proc` (proc(5)).
 *
 * @packageDocumentation
 */

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/PID/stat` times (`USER_HZ`, 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU and memory of one process. */
export interface ProcessUsage {
  /** User plus system CPU time since the process started, in seconds (10 ms resolution). */
  cpuSeconds: number;
  /** Resident set size, in MB (MiB). */
  rssMb: number;
}

/**
 * Reads `/proc/PID/stat` (fields 14 and 15, `utime` and `stime`) and `/proc/PID/status`
 * (`VmRSS`).
 *
 * @throws Error when the process does not exist (any more).
 */
export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
}

/** The parent PID of `pid` (`/proc/PID/stat` field 4), or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** `pid` and every process descended from it (children, their children...), from `/proc`. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined)
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * CPU seconds of each process of `pid`'s tree, by PID (processes that end between two
 * readings drop out, so compare readings of the same PIDs, or count new ones whole).
 */
export function treeCpuSeconds(pid: number): Map<number, number> {
  const usage = new Map<number, number>();
  for (const member of processTree(pid)) {
    try {
      usage.set(member, processUsage(member).cpuSeconds);
    } catch {
      // it ended meanwhile
    }
  }
  return usage;
}

/** CPU seconds used between two {@link treeCpuSeconds} readings (a new process counts whole). */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
