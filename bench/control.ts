// Hold/unhold round trips through Switchboard and the local Twilio fake: command → the official
// twilio client → fake → signed callback → session updated, at concurrency 1-16, for a caller in a
// conference (participant Hold) and for a plain call parked in the session's hold queue (redirect
// into <Enqueue>, confirmed by Twilio's wait-music request; unhold redirects to a Url that dials the
// agent back, confirmed by that request). Beside each, in the same run, the same Twilio updates sent
// straight to the fake with the twilio client (the floor: what Twilio itself costs when it answers
// as fast as this fake). Switchboard runs in its own process on a SQLite file; the fake and the load
// run here. Run: npx tsx bench/control.ts [roundTripsPerLevel]; BENCH_HOLD=conference|queue (default both).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds } from './lib/cpu.js';
import { credentialsOf, startChild } from './lib/child-server.js';
import { twilioClients } from '../src/telephony/twilio-client.js';
import { TwilioFake, type Callback } from '../test/support/twilio-fake.js';
import { liveConferenceCall, ringingAgentCall, type LiveCall } from '../test/control/support/control-harness.js';
import { ACCOUNT_SID, AUTH_TOKEN } from '../test/events/support/directory-seed.js';

const ROUND_TRIPS = Number(process.argv[2] ?? 200);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16').split(',').map(Number);
const HOLDS = (process.env.BENCH_HOLD ?? 'conference,queue').split(',');
const WARM_UP = 20;
/**
 * Round trips per session before a worker moves to a fresh call: a real call sees a few holds, and a
 * session is re-folded from all its events on every event, so 200 round trips on one session would
 * measure a 1,200-event ledger (~10 ms of CPU per command) instead of call control.
 */
const ROUND_TRIPS_PER_CALL = 10;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value: number) => value.toFixed(2).padStart(7);

const fake = await TwilioFake.start({ accounts: [{ sid: ACCOUNT_SID, token: AUTH_TOKEN }] });
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-control-'));
const server = await startChild('control-server.ts', [join(dir, 'control.db'), fake.url]);
fake.switchboardUrl = server.url;
const { cookie } = credentialsOf(server);
const direct = twilioClients({ timeoutMs: 10_000, maxRetries: 0, apiBaseUrl: fake.url }).forAccount({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });

interface Sample {
  readonly command: number;
  readonly updated: number;
}

const isEvent = (kind: string, callSid: string) => (c: Callback) => c.params.StatusCallbackEvent === kind && c.params.CallSid === callSid;
const isQueueRequest = (path: string, callSid: string) => (c: Callback) => new URL(c.url).pathname === path && c.params.CallSid === callSid;

/** A call to hold: its session and caller leg, and (in a conference) the conference. */
type BenchCall = Pick<LiveCall, 'sessionId' | 'callerSid'> & { readonly conferenceSid?: string };

/**
 * One hold or unhold through Switchboard: the command's latency, and until the Twilio request that
 * confirms it (participant-hold/-unhold; the hold queue's wait-music or resume request) is committed.
 */
async function viaSwitchboard(call: BenchCall, hold: boolean): Promise<Sample> {
  const confirmed = call.conferenceSid
    ? isEvent(hold ? 'participant-hold' : 'participant-unhold', call.callerSid)
    : isQueueRequest(hold ? '/twilio/hold/wait' : '/twilio/hold/resume', call.callerSid);
  const updated = fake.acknowledged(confirmed);
  const start = performance.now();
  const res = hold
    ? await fetch(`${server.url}/sessions/${call.sessionId}/hold`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })
    : await fetch(`${server.url}/sessions/${call.sessionId}/conference/members/${call.callerSid}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: '{"hold":false}' });
  await res.arrayBuffer();
  const answered = performance.now();
  if (res.status !== 200) throw new Error(`${hold ? 'hold' : 'unhold'}: HTTP ${res.status}`);
  return { command: answered - start, updated: (await updated) - start };
}

/** The same Twilio update straight to the fake, no callbacks (no status callback, no waitUrl). */
async function straight(call: BenchCall, hold: boolean): Promise<Sample> {
  const start = performance.now();
  if (call.conferenceSid) await direct.conferences(call.conferenceSid).participants(call.callerSid).update({ hold });
  else await direct.calls(call.callerSid).update({ twiml: hold ? '<Response><Enqueue>baseline</Enqueue></Response>' : '<Response><Dial><Client>dana</Client></Dial></Response>' });
  const took = performance.now() - start;
  return { command: took, updated: took };
}

/** A plain call Dana answered through <Dial>: held in the hold queue. */
async function plainCall(): Promise<BenchCall> {
  const call = await ringingAgentCall({ fake });
  fake.setCallStatus(call.agentSid, 'in-progress');
  await fake.settled();
  return call;
}

/** `concurrency` workers share `roundTrips`, each taking a fresh call from `calls` every ROUND_TRIPS_PER_CALL. */
async function level<C>(calls: readonly C[], concurrency: number, roundTrips: number, once: (call: C, hold: boolean) => Promise<Sample>): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let next = 0;
  let nextCall = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let call = calls[nextCall++ % calls.length]!;
      for (let done = 0; next++ < roundTrips; done++) {
        if (done && done % ROUND_TRIPS_PER_CALL === 0) call = calls[nextCall++ % calls.length]!;
        samples.push(await once(call, true));
        samples.push(await once(call, false));
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

try {
  for (const kind of HOLDS) {
    console.log(`\n${kind === 'queue' ? 'plain call, hold queue' : 'conference participant'}: hold/unhold round trips, ${ROUND_TRIPS} per level (2 commands each); ms`);
    console.log('concurrency | switchboard command p50 p99 | command→session updated p50 p99 | fake alone p50 p99 | ratio p50 | commands/s | server CPU ms/command');
    for (const concurrency of LEVELS) {
      const calls: BenchCall[] = [];
      const needed = concurrency + Math.ceil((ROUND_TRIPS + WARM_UP) / ROUND_TRIPS_PER_CALL);
      for (let i = 0; i < needed; i++) calls.push(kind === 'queue' ? await plainCall() : await liveConferenceCall({ fake }));
      const baseline: BenchCall[] = [];
      for (let i = 0; i < concurrency; i++) {
        const caller = fake.addCall(ACCOUNT_SID, { from: '+15035551234', to: '+15035550000' });
        const conferenceSid = kind === 'queue' ? undefined : fake.joinConference(ACCOUNT_SID, `baseline-${concurrency}-${i}`, '', [caller.sid]).sid;
        baseline.push({ sessionId: '', callerSid: caller.sid, conferenceSid });
      }
      await level(calls, concurrency, WARM_UP, viaSwitchboard);
      await level(baseline, concurrency, WARM_UP, straight);
      fake.handlingMicros.length = 0;
      const cpuBefore = cpuSeconds([server.pid]);
      const measured = await level(calls.slice(Math.ceil(WARM_UP / ROUND_TRIPS_PER_CALL) + concurrency), concurrency, ROUND_TRIPS, viaSwitchboard);
      const cpu = ((cpuSeconds([server.pid]) - cpuBefore) * 1000) / measured.samples.length;
      const handling = [...fake.handlingMicros];
      const floor = await level(baseline, concurrency, ROUND_TRIPS, straight);
      const command = measured.samples.map((s) => s.command);
      const updated = measured.samples.map((s) => s.updated);
      const alone = floor.samples.map((s) => s.command);
      console.log(
        `${String(concurrency).padStart(11)} | ${ms(percentile(command, 50))} ${ms(percentile(command, 99))} | ${ms(percentile(updated, 50))} ${ms(percentile(updated, 99))} | ` +
          `${ms(percentile(alone, 50))} ${ms(percentile(alone, 99))} | ${(percentile(command, 50) / percentile(alone, 50)).toFixed(1).padStart(5)}× | ` +
          `${(measured.samples.length / measured.seconds).toFixed(0).padStart(6)} | ${cpu.toFixed(2)}`,
      );
      console.log(`            (the fake's own handling of a request: p50 ${(percentile(handling, 50) / 1000).toFixed(3)} ms, p99 ${(percentile(handling, 99) / 1000).toFixed(3)} ms)`);
    }
  }
} finally {
  await server.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
