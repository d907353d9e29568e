// The console in a scripted headless Chromium (Debian's, through playwright-core) against a server in
// its own process. Run: npx tsx bench/console.ts  (BENCH_MINUTES=1 BENCH_RATE=50 BENCH_CONSOLES=4
// BENCH_SAMPLE_MINUTES=1; the hour-long run: BENCH_MINUTES=60 BENCH_SAMPLE_MINUTES=5)
// 1. Time to first render of the wallboard (navigation → the queue board drawn, signed in, median of
//    5 cold loads), beside the server-rendered /stream page of the same server (navigation → its
//    table) in the same run: the ratio is the cost of the bundled client.
// 2. The wallboard's JS heap (after a forced GC) while signed calls change sessions at BENCH_RATE
//    changes/s (half new calls, half completions of earlier ones) for BENCH_MINUTES, sampled every
//    BENCH_SAMPLE_MINUTES with the page's DOM nodes and listeners and the server's RSS and CPU: a leak
//    shows as a curve that keeps rising while the board itself stays the same size.
// 3. Server CPU per connected console: the server's CPU seconds per second under the same load with
//    BENCH_CONSOLES wallboards open, minus the same with none, divided by the consoles.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import twilio from 'twilio';
import { ACCOUNT_SID, AUTH_TOKEN } from '../test/events/support/directory-seed.js';
import { startChild } from './lib/child-server.js';
import { cpuSeconds } from './lib/cpu.js';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 1);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const CONSOLES = Number(process.env.BENCH_CONSOLES ?? 4);
const SAMPLE_MINUTES = Number(process.env.BENCH_SAMPLE_MINUTES ?? 1);
const LOAD_SECONDS = 20;

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let callNo = 0;
function callback(url: string, path: string, params: Record<string, string>): Promise<void> {
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url + path, params);
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const call = (n: number, status: 'ringing' | 'completed') => ({ AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: sid(n), CallStatus: status, Direction: 'inbound', From: '+15035551234', To: '+15035550000', Caller: '+15035551234', Called: '+15035550000', ...(status === 'completed' ? { CallDuration: '30' } : {}) });

/** Sends changes at `rate`/s for `seconds`: every other change a new call, the rest end the call before last. */
async function drive(url: string, rate: number, seconds: number): Promise<number> {
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    const batch: Promise<void>[] = [];
    for (; sent < due; sent++) {
      if (sent % 2 === 0) batch.push(callback(url, '/twilio/voice', call(++callNo, 'ringing')));
      else if (callNo > 1) batch.push(callback(url, '/twilio/voice/status', call(callNo - 1, 'completed')));
    }
    await Promise.all(batch);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return sent;
}

async function signedInPage(browser: Browser, url: string, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${url}/console`);
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  await page.waitForSelector('#queue-board');
  return page;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function firstRender(page: Page, url: string, ready: string): Promise<number> {
  const start = performance.now();
  await page.goto(url);
  await page.waitForSelector(ready);
  return performance.now() - start;
}

interface PageMemory {
  readonly heapMb: number;
  readonly nodes: number;
  readonly listeners: number;
}

/** The page's JS heap after a forced GC, with its DOM nodes and event listeners (Chromium's own counters). */
async function pageMemory(page: Page): Promise<PageMemory> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.send('Performance.enable');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  await cdp.detach();
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { heapMb: usedSize / 1e6, nodes: metric('Nodes'), listeners: metric('JSEventListeners') };
}

function rssMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : 0;
}

const dir = mkdtempSync(join(tmpdir(), 'console-bench-'));
const server = await startChild('console-server.ts', [join(dir, 'console.db')]);
const [, email, password] = /^user (\S+) (\S+)$/m.exec(server.output)!;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await signedInPage(browser, server.url, email!, password!);
  const consoleMs: number[] = [];
  const streamMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    streamMs.push(await firstRender(page, `${server.url}/stream?n=${i}`, '#sessions'));
    consoleMs.push(await firstRender(page, `${server.url}/console?n=${i}#/wallboard`, '#queue-board'));
  }
  console.log(`first render: wallboard ${median(consoleMs).toFixed(0)} ms, /stream page ${median(streamMs).toFixed(0)} ms (median of 5), ratio ${(median(consoleMs) / median(streamMs)).toFixed(2)}`);

  const sample = async (label: string, cpuPerSecond?: number) => {
    const memory = await pageMemory(page);
    const held = await page.evaluate(() => document.querySelectorAll('#queue-board tbody tr').length);
    const cpu = cpuPerSecond === undefined ? '' : `, server CPU ${(cpuPerSecond * 1000).toFixed(0)} ms/s`;
    console.log(
      `${label} (${callNo} calls): heap ${memory.heapMb.toFixed(1)} MB, DOM nodes ${memory.nodes}, listeners ${memory.listeners}, ` +
        `board rows ${held}; server RSS ${rssMb(server.pid).toFixed(0)} MB${cpu}`,
    );
  };
  console.log(`${RATE} changes/s for ${MINUTES} min, sampled every ${SAMPLE_MINUTES} min`);
  await sample('at start');
  for (let minute = 0; minute < MINUTES; ) {
    const step = Math.min(SAMPLE_MINUTES, MINUTES - minute);
    const cpu0 = cpuSeconds([server.pid]);
    const t0 = Date.now();
    await drive(server.url, RATE, step * 60);
    const cpu = (cpuSeconds([server.pid]) - cpu0) / ((Date.now() - t0) / 1000);
    minute += step;
    await sample(`after ${minute} min`, cpu);
  }

  const cpuPerSecond = async () => {
    const cpu0 = cpuSeconds([server.pid]);
    const t0 = Date.now();
    await drive(server.url, RATE, LOAD_SECONDS);
    return (cpuSeconds([server.pid]) - cpu0) / ((Date.now() - t0) / 1000);
  };
  await page.close();
  const alone = await cpuPerSecond();
  const pages = await Promise.all(Array.from({ length: CONSOLES }, () => signedInPage(browser, server.url, email!, password!)));
  const withConsoles = await cpuPerSecond();
  console.log(
    `server CPU at ${RATE} changes/s: ${(alone * 1000).toFixed(0)} ms/s with no console, ${(withConsoles * 1000).toFixed(0)} ms/s with ${CONSOLES}: ` +
      `${(((withConsoles - alone) / CONSOLES) * 1000).toFixed(1)} ms/s per console (ratio ${(withConsoles / alone).toFixed(2)})`,
  );
  await Promise.all(pages.map((p) => p.close()));
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
