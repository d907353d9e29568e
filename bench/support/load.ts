import { Agent, request } from 'node:http';

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface LoadOptions {
  /** Requests in flight at once, spread over the targets (a round-robin load balancer). */
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs?: number;
}

/**
 * Closed-loop load: `connections` keep-alive clients, each sending its next request when the last
 * one answered, for `durationMs`. `next()` picks each request's target URL. Non-200 answers count
 * as errors.
 */
export async function runLoad(next: (i: number) => string, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  if (options.warmupMs) await loop(next, agent, options.connections, options.warmupMs, []);
  const latencies: number[] = [];
  const { errors, elapsed } = await loop(next, agent, options.connections, options.durationMs, latencies);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
  };
}

async function loop(next: (i: number) => string, agent: Agent, connections: number, durationMs: number, latencies: number[]) {
  const started = performance.now();
  const end = started + durationMs;
  let errors = 0;
  let i = 0;
  const client = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const status = await get(next(i++), agent);
      if (status === 200) latencies.push(performance.now() - t);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return { errors, elapsed: performance.now() - started };
}

function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}
