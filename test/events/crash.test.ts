import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import { openStore } from '../../src/store/open-store.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { deliver } from './support/deliver.js';
import { ACCOUNT_SID, seedDirectory } from './support/directory-seed.js';
import type { Delivery } from './support/scenarios.js';

const child = fileURLToPath(new URL('./support/crash-child.ts', import.meta.url));

/** Many inbound calls' callbacks, each call with its own CallSid, interleaved. */
function stream(calls: number): { delivery: Delivery; dedupeKey: string }[] {
  const out: { delivery: Delivery; dedupeKey: string }[] = [];
  const statuses = ['ringing', 'in-progress', 'completed'];
  for (let step = 0; step < 4; step++) {
    for (let c = 0; c < calls; c++) {
      const callSid = `CA${(0xc000 + c).toString(16).padStart(32, '0')}`;
      const at = new Date(Date.UTC(2026, 10, 27, 14, 0, step * 10)).toISOString();
      const base = { AccountSid: ACCOUNT_SID, CallSid: callSid, From: '+15035551234', To: '+15035550000', Direction: 'inbound' };
      if (step === 0) {
        out.push({ delivery: { kind: 'twilio', path: '/twilio/voice', at, params: base }, dedupeKey: `twilio:voice:${callSid}` });
      } else {
        const params = { ...base, CallStatus: statuses[step - 1]!, CallbackSource: 'call-progress-events', SequenceNumber: String(step - 1), Timestamp: new Date(at).toUTCString() };
        out.push({ delivery: { kind: 'twilio', path: '/twilio/voice/status', at, params }, dedupeKey: `twilio:call:${callSid}:call-progress-events:${step - 1}` });
      }
    }
  }
  return out;
}

async function startChild(database: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, database], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /port (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}

describe('crash safety', () => {
  it('keeps every acknowledged event and never a half-applied session when killed with SIGKILL mid-stream', async () => {
    const database = await freshDatabaseUrl();
    {
      const setup = await openStore(database);
      await setup.migrate();
      await seedDirectory(setup.db);
      await setup.close();

      const { proc, url } = await startChild(database);
      const work = stream(150);
      const acked: string[] = [];
      let next = 0;
      let killed = false;
      const worker = async () => {
        while (next < work.length && !killed) {
          const item = work[next++]!;
          try {
            const res = await deliver(url, item.delivery);
            if (res.status < 300) acked.push(item.dedupeKey);
            else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
          } catch (error) {
            if (!killed) throw error;
          }
          if (acked.length >= 250 && !killed) {
            killed = true;
            proc.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker)).finally(() => proc.exitCode === null && proc.kill('SIGKILL'));
      await new Promise((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve(null) : proc.once('exit', resolve)));
      expect(killed).toBe(true);
      expect(acked.length).toBeLessThan(work.length);

      const store = await openStore(database);
      try {
        const stored = new Set((await store.db.selectFrom('session_events').select('dedupe_key').execute()).map((r) => r.dedupe_key));
        expect(acked.filter((key) => !stored.has(key))).toEqual([]);
        const ingest = sessionWriter(store);
        const sessions = await store.db.selectFrom('sessions').select(['account_id', 'id', 'document']).execute();
        const withEvents = await store.db.selectFrom('session_events').select('session_id').distinct().execute();
        expect(sessions.length).toBe(withEvents.length);
        for (const row of sessions) expect(JSON.parse(row.document)).toEqual(await ingest.foldOf(row.account_id, row.id));
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});
