import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) used so far by these processes and their direct children (a
 * PostgreSQL postmaster's backends), from /proc. On a shared machine throughput is what the others
 * leave; CPU per request is the steadier figure.
 */
export function cpuSeconds(rootPids: readonly number[]): number {
  const roots = new Set(rootPids);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // After "(comm) ": state ppid … utime stime are fields 1 and 11, 12 counted from state = 0.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (roots.has(Number(entry)) || roots.has(Number(fields[1]))) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Binds a process and all its threads (and those it starts later) to `cpus` (taskset's list, e.g.
 * "0" or "1-3"); false where taskset is missing or refused, and the bench runs unbound.
 */
export function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
