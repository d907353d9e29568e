import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface Throughput {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

export const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

/** Closed-loop maximum throughput with wrk (a C client, so the load costs little of our 2 cores). */
export function wrk(
  url: string,
  { connections = 32, seconds = 8, headers = {} as Record<string, string>, script = undefined as string | undefined } = {},
): Throughput {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const scriptArgs = script ? ['-s', script] : [];
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, ...scriptArgs, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  // A throughput of 401s (or 404s) is no measurement.
  if (/Non-2xx or 3xx responses/.test(run.stdout)) throw new Error(`wrk saw error answers from ${url}:\n${run.stdout}`);
  return wrkResult(run.stdout);
}

function wrkResult(stdout: string): Throughput {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const pct = (p: string) => toMs(new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`).exec(stdout)?.[1] ?? 'NaNms');
  return { rps, p50ms: pct('50'), p99ms: pct('99') };
}

/**
 * wrk against several servers at once, the connections split evenly (what a round-robin load
 * balancer does), each request from a wrk Lua `script` when given (its `init(args)` gets the
 * server's index, so scripts can keep their requests apart). The rates add up; the latency
 * percentiles are the worst server's.
 */
export async function wrkAcross(
  urls: readonly string[],
  { connections = 32, seconds = 8, script, headers = {} }: { connections?: number; seconds?: number; script?: string; headers?: Record<string, string> } = {},
): Promise<Throughput> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const runs = await Promise.all(
    urls.map(
      (url, index) =>
        new Promise<Throughput>((resolve, reject) => {
          const args = ['-t1', `-c${Math.max(1, Math.round(connections / urls.length))}`, `-d${seconds}s`, '--latency', ...headerArgs, ...(script ? ['-s', script] : []), url, ...(script ? ['--', String(index)] : [])];
          execFile('wrk', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
            const failed = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1];
            if (error) reject(new Error(`wrk failed: ${stderr || error.message}`));
            else if (failed) reject(new Error(`wrk: ${failed} requests of ${url} failed`));
            else resolve(wrkResult(stdout));
          });
        }),
    ),
  );
  return {
    rps: runs.reduce((sum, r) => sum + r.rps, 0),
    p50ms: Math.max(...runs.map((r) => r.p50ms)),
    p99ms: Math.max(...runs.map((r) => r.p99ms)),
  };
}

function toMs(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/**
 * A wrk Lua script (written to `file`) whose every request is a random id 0…count-1 as `%024x`
 * (`/sessions/{id}{suffix}`): reads spread over many rows. With `delayMs`, each connection waits
 * that long before each request (wrk's `delay()`), for a steady rate below the maximum.
 */
export function randomIdScript(file: string, count: number, suffix = '', delayMs?: number): string {
  const lines = [
    'math.randomseed(os.time())',
    `request = function() return wrk.format(nil, string.format("/sessions/%024x${suffix}", math.random(0, ${count - 1}))) end`,
    ...(delayMs === undefined ? [] : [`delay = function() return ${delayMs} end`]),
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Each connection's pause before a request at a steady rate: long beside a request's own latency. */
export const PACING_MS = 10;

/**
 * Latency at about `rate` requests/s: enough wrk connections, each pausing PACING_MS before every
 * request (`randomIdScript(…, PACING_MS)`), so requests arrive spread out as independent clients'
 * do. (autocannon's overallRate sends each second's quota as fast as it can and then idles, which
 * measures a saturated server's p99 at any rate.) Returns the rate reached and wrk's percentiles.
 */
export function atRate(
  url: string,
  rate: number,
  { seconds = 8, headers = {} as Record<string, string>, pacedScript }: { seconds?: number; headers?: Record<string, string>; pacedScript: string },
): Throughput {
  const connections = Math.max(1, Math.round((rate * (PACING_MS + 0.5)) / 1000));
  return wrk(url, { connections, seconds, headers, script: pacedScript });
}

