import { spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

export interface Throughput {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

export const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

/** Closed-loop maximum throughput with wrk (a C client, so the load costs little of our 2 cores). */
export function wrk(url: string, { connections = 32, seconds = 8, headers = {} as Record<string, string> } = {}): Throughput {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  // A throughput of 401s (or 404s) is no measurement.
  if (/Non-2xx or 3xx responses/.test(run.stdout)) throw new Error(`wrk saw error answers from ${url}:\n${run.stdout}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1]);
  const pct = (p: string) => toMs(new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`).exec(run.stdout)?.[1] ?? 'NaNms');
  return { rps, p50ms: pct('50'), p99ms: pct('99') };
}

function toMs(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** Open-loop latency at a fixed request rate (autocannon's overallRate), for "p99 at half the max". */
export async function atRate(url: string, rate: number, seconds = 8, headers: Record<string, string> = {}): Promise<Throughput> {
  const result = await autocannon({ url, connections: 16, duration: seconds, overallRate: Math.round(rate), headers });
  if (result.non2xx) throw new Error(`autocannon saw ${result.non2xx} error answers from ${url}`);
  return { rps: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99 };
}
