// Inbound texts: signed Twilio SMS webhooks over HTTP at concurrency 1-16, each recorded durably in
// the chat session of its party (looked up, or opened), beside a bare node:http server that reads
// and parses the same form in the same run. Run: npx tsx bench/messaging.ts [textsPerLevel]
import twilio from 'twilio';
import { cpuSeconds } from './lib/cpu.js';
import { postSigned, startBenchPair, type SignedForm as Signed } from './lib/signed-posts.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL } from '../test/events/support/directory-seed.js';

const TEXTS_PER_LEVEL = Number(process.argv[2] ?? 2000);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16').split(',').map(Number);
const WARM_UP_TEXTS = 400;
/** Texts per party: the first opens a chat session, the rest continue it (a contact center's back-and-forth). */
const TEXTS_PER_PARTY = 5;
const PATH = '/twilio/messaging';
const MAIN_LINE = '+15035550000';

/** Signed inbound-SMS webhooks, parties interleaved as they would be live; `run` keeps each level's parties and SIDs apart. */
function texts(run: number, count: number): Signed[] {
  const parties = Math.ceil(count / TEXTS_PER_PARTY);
  const out: Signed[] = [];
  for (let n = 0; n < TEXTS_PER_PARTY; n++) {
    for (let p = 0; p < parties && out.length < count; p++) {
      const params = {
        AccountSid: ACCOUNT_SID,
        MessageSid: `SM${run.toString(16).padStart(4, '0')}${n.toString(16).padStart(4, '0')}${p.toString(16).padStart(24, '0')}`,
        From: `+1971${String(run * 100_000 + p).padStart(7, '0')}`,
        To: MAIN_LINE,
        Body: `Message ${n} from party ${p}: where is my order?`,
        NumMedia: '0',
        NumSegments: '1',
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
      };
      out.push({ body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + PATH, params) });
    }
  }
  return out;
}

const servers = await startBenchPair('switchboard-bench-messaging-');
const { baseline, switchboard } = servers;
try {
  console.log(`Signed inbound SMS webhooks, ${TEXTS_PER_LEVEL} per level (${TEXTS_PER_PARTY} per party: 1 opens a chat, ${TEXTS_PER_PARTY - 1} continue it); Switchboard = durable on SQLite`);
  const warmUp = texts(LEVELS.length, WARM_UP_TEXTS);
  await postSigned(baseline.port, PATH, warmUp, 4);
  await postSigned(switchboard.port, PATH, warmUp, 4);
  console.log('concurrency | baseline msgs/s  p99 ms  CPU µs/msg | switchboard msgs/s  p50 ms  p99 ms  non-2xx  CPU µs/msg | ratio msgs/s  ratio CPU');
  for (const [run, level] of LEVELS.entries()) {
    const work = texts(run, TEXTS_PER_LEVEL);
    const baseCpu = cpuSeconds([baseline.proc.pid!]);
    const base = await postSigned(baseline.port, PATH, work, level);
    const baseMicros = ((cpuSeconds([baseline.proc.pid!]) - baseCpu) * 1e6) / work.length;
    const sbCpu = cpuSeconds([switchboard.proc.pid!]);
    const sb = await postSigned(switchboard.port, PATH, work, level);
    const sbMicros = ((cpuSeconds([switchboard.proc.pid!]) - sbCpu) * 1e6) / work.length;
    console.log(
      `${String(level).padStart(11)} | ${base.perSecond.toFixed(0).padStart(15)} ${base.p99.toFixed(2).padStart(7)} ${baseMicros.toFixed(0).padStart(11)} | ${sb.perSecond.toFixed(0).padStart(18)} ${sb.p50.toFixed(2).padStart(7)} ${sb.p99.toFixed(2).padStart(7)} ${String(sb.failures).padStart(8)} ${sbMicros.toFixed(0).padStart(11)} | ${(sb.perSecond / base.perSecond).toFixed(3).padStart(12)} ${(sbMicros / baseMicros).toFixed(1).padStart(10)}`,
    );
  }
} finally {
  await servers.stop();
}
