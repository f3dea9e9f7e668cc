/**
 * A process's CPU time and memory, read from Linux's `/proc` (proc(5)).
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';

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
