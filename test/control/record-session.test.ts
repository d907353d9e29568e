/**
 * RecordSession's duplicate check: a recording is running from the moment Twilio accepts it until
 * its callbacks say it stopped (completed or absent), and a second one meanwhile is a 409 with
 * nothing sent; the recording's state comes from the ledger (commands and recording callbacks).
 */
import { describe, expect, it } from 'vitest';
import { eventually, liveConferenceCall, startHarness } from './support/control-harness.js';

const messages = (session: { log?: { message?: string }[] }) => (session.log ?? []).map((l) => l.message);
const recordingWrites = (h: { fake: { writes: { path: string }[] } }) => h.fake.writes.filter((r) => r.path.endsWith('/Recordings.json'));
const record = (h: { url: string; cookie: string }, sessionId: string) => fetch(`${h.url}/sessions/${sessionId}/record`, { method: 'POST', headers: { cookie: h.cookie, accept: 'application/json' } });

describe('RecordSession while a recording runs', () => {
  it('a second record is a 409 RecordingInProgress with no Twilio request, even before Twilio reports the first one started', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await record(h, live.sessionId)).status).toBe(200);
    const [first] = h.fake.recordings;
    // The in-progress callback has not arrived: the accepted command alone says it runs.
    const early = await record(h, live.sessionId);
    expect(early.status).toBe(409);
    expect(early.statusText).toBe('RecordingInProgress');
    const status = (await early.json()).responseStatus;
    expect(status.errorCode).toBe('RecordingInProgress');
    expect(status.message).toBe(`Session '${live.sessionId}' is already being recorded (${first!.sid}); a new recording can start once it has stopped`);
    await h.fake.flush();
    expect(messages(await h.session(live.sessionId))).toContain('Recording started');
    expect((await record(h, live.sessionId)).status).toBe(409);
    expect(recordingWrites(h)).toHaveLength(1);
  });

  it('once the recording completes (or is absent) a new one starts', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    expect((await record(h, live.sessionId)).status).toBe(200);
    await h.fake.settled();
    h.fake.setRecordingStatus(h.fake.recordings[0]!.sid, 'completed');
    await h.fake.settled();
    expect(messages(await h.session(live.sessionId))).toEqual(expect.arrayContaining([expect.stringMatching(/^Recording available at https:\/\/api\.twilio\.com\//)]));
    expect((await record(h, live.sessionId)).status).toBe(200);
    await h.fake.settled();
    expect(recordingWrites(h)).toHaveLength(2);
    h.fake.setRecordingStatus(h.fake.recordings[1]!.sid, 'absent');
    await h.fake.settled();
    expect((await record(h, live.sessionId)).status).toBe(200);
    expect(recordingWrites(h)).toHaveLength(3);
  });

  it('a late in-progress after completed leaves the recording stopped', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await record(h, live.sessionId)).status).toBe(200);
    h.fake.setRecordingStatus(h.fake.recordings[0]!.sid, 'completed');
    await h.fake.flush((callbacks) => [...callbacks].reverse());
    const session = await h.session(live.sessionId);
    expect(messages(session)).toContain(`Ignored recording in-progress for ${h.fake.recordings[0]!.sid}: it is already completed`);
    h.fake.holdCallbacks = false;
    expect((await record(h, live.sessionId)).status).toBe(200);
  });

  it('a lost callback: after the deadline Switchboard asks Twilio for the recording and records its status', async () => {
    const h = await startHarness({ reconcileAfterMs: 150 });
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await record(h, live.sessionId)).status).toBe(200);
    h.fake.pending.splice(0);
    const sid = h.fake.recordings[0]!.sid;
    h.fake.setRecordingStatus(sid, 'completed');
    h.fake.pending.splice(0);
    const healed = await eventually(h, live.sessionId, (s) => messages(s).some((m) => m?.startsWith('Recording completed') || m?.startsWith('Recording available')));
    expect(messages(healed)).toContain('Checked with Twilio (no callback within 150 ms)');
    expect(h.fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([`/Recordings/${sid}.json`]);
    h.fake.holdCallbacks = false;
    expect((await record(h, live.sessionId)).status).toBe(200);
  });
});
