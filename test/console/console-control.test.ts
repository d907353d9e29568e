/**
 * The console's controls end to end: headless Chromium on a real server whose Twilio is the local
 * fake (test/support/twilio-fake.ts). A click sends the API request, the fake receives Twilio's
 * request with the account's credentials and answers with its signed callback, and the page shows
 * the change from the stream, without a reload. Screenshots land in data/console-screenshots/.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN, MAIN_LINE, PASSWORD, PUBLIC_URL, addManager, liveConferenceCall, startHarness, type Harness } from '../control/support/control-harness.js';
import { launchBrowser, newPage, screenshot, signIn } from './console-browser.js';

const PARTY = '+15035557777';

/** The harness's server with Max Manager signed in to the console, on a session's detail page. */
async function consoleOn(h: Harness, sessionId: string) {
  const manager = await addManager(h);
  const browser = await launchBrowser();
  const { page } = await newPage(browser);
  await signIn(page, h.url, manager.email, PASSWORD);
  await page.goto(`${h.url}/console#/sessions/${sessionId}`);
  await page.waitForSelector('#detail-state');
  return page;
}

const participantUpdates = (h: Harness) => h.fake.writes.filter((r) => /^\/Conferences\/[^/]+\/Participants\/[^/]+\.json$/.test(r.path));

describe('console controls', () => {
  it('Hold on the detail page reaches Twilio with the account\'s credentials; its callback shows "on hold" without a reload; Unhold likewise', async () => {
    const h = await startHarness();
    const call = await liveConferenceCall(h);
    const page = await consoleOn(h, call.sessionId);
    expect(await page.textContent('#detail-state')).toBe('Connected');
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

    await page.click('#control-hold');
    await page.waitForFunction(() => document.querySelector('#detail-state')?.textContent === 'on hold', undefined, { timeout: 5000 });
    const [hold] = participantUpdates(h);
    expect(hold).toMatchObject({ method: 'POST', path: `/Conferences/${call.conferenceSid}/Participants/${call.callerSid}.json`, username: ACCOUNT_SID, password: AUTH_TOKEN });
    expect(hold!.form.get('Hold')).toBe('true');
    expect(await page.textContent('#control-hold')).toBe('Unhold');
    expect(await page.textContent('#members')).toContain('on hold');
    await screenshot(page, 'session-detail-on-hold');

    await page.click('#control-hold');
    await page.waitForFunction(() => document.querySelector('#detail-state')?.textContent === 'Connected', undefined, { timeout: 5000 });
    const unhold = participantUpdates(h)[1];
    expect(unhold).toMatchObject({ path: `/Conferences/${call.conferenceSid}/Participants/${call.callerSid}.json`, username: ACCOUNT_SID, password: AUTH_TOKEN });
    expect(unhold!.form.get('Hold')).toBe('false');
    expect(await page.textContent('#control-hold')).toBe('Hold');
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    await screenshot(page, 'session-detail-unheld');
  });

  it('a call that ended on Twilio\'s side says so (409) and the page then shows it ended; an account without Twilio credentials is told telephony is not configured', async () => {
    const h = await startHarness();
    const ended = await liveConferenceCall(h);
    const page = await consoleOn(h, ended.sessionId);
    // The caller hangs up, but Twilio's callbacks about it have not arrived yet.
    h.fake.holdCallbacks = true;
    h.fake.setCallStatus(ended.callerSid, 'completed');
    await page.click('#control-hold');
    await page.waitForSelector('#feedback .error');
    expect(await page.textContent('#feedback')).toContain('Hold failed: The call has already ended');
    await screenshot(page, 'session-detail-call-ended');
    h.fake.holdCallbacks = false;
    await h.fake.flush();
    await page.waitForFunction(() => document.querySelector('#detail-state')?.textContent === 'ended', undefined, { timeout: 5000 });
    expect(await page.textContent('#view')).toContain('The session has ended.');
    // Opened again, the ended session is read whole (the console keeps only counts of ended ones).
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#timeline')?.textContent?.includes('Checked with Twilio'));
    expect(await page.textContent('#members')).toContain('Dana Agent');

    const live = await liveConferenceCall(h);
    await page.goto(`${h.url}/console#/sessions/${live.sessionId}`);
    await page.waitForFunction(() => document.querySelector('#detail-state')?.textContent === 'Connected');
    await h.store.db.updateTable('accounts').set({ twilio_auth_token: null }).where('id', '=', ACCOUNT_ID).execute();
    const before = h.fake.writes.length;
    await page.click('#control-hold');
    await page.waitForSelector('#feedback .error');
    expect(await page.textContent('#feedback')).toContain('Hold failed: Telephony is not configured for this account');
    expect(h.fake.writes.length).toBe(before);
    await screenshot(page, 'session-detail-no-telephony');
  });

  it('a chat opened by a signed inbound text: the reply typed on the detail page reaches Twilio from the session\'s number, and its delivery shows on the page; End chat ends it', async () => {
    const h = await startHarness();
    const text = await h.fake.receiveText(ACCOUNT_SID, `${PUBLIC_URL}/twilio/messaging`, { from: PARTY, to: MAIN_LINE, body: 'Is my order shipped?' });
    expect(text.status).toBe(200);
    const { session_id: sessionId } = await h.store.db.selectFrom('session_events').select('session_id').where('dedupe_key', '=', `twilio:message:${text.sid}`).executeTakeFirstOrThrow();
    h.fake.holdCallbacks = true;
    const page = await consoleOn(h, sessionId);
    await page.waitForFunction(() => document.querySelector('#transcript')?.textContent?.includes('Is my order shipped?'));

    await page.fill('#reply-text', 'It left the warehouse today');
    await page.click('#reply-send');
    await page.waitForSelector('#reply-statuses li');
    const [sent] = h.fake.messages;
    expect(sent).toMatchObject({ accountSid: ACCOUNT_SID, from: MAIN_LINE, to: PARTY, body: 'It left the warehouse today' });
    expect(h.fake.writes.find((r) => r.path === '/Messages.json')).toMatchObject({ username: ACCOUNT_SID, password: AUTH_TOKEN });
    await page.waitForFunction(() => document.querySelector('#transcript')?.textContent?.includes('It left the warehouse today'));
    expect(await page.textContent('#reply-statuses')).toContain('queued');

    await h.fake.flush();
    await page.waitForFunction(() => document.querySelector('#reply-statuses')?.textContent?.includes('delivered'), undefined, { timeout: 5000 });
    expect(await page.textContent('#timeline')).toContain(`Message ${sent!.sid} delivered`);
    expect(await page.inputValue('#reply-text')).toBe('');
    await screenshot(page, 'chat-reply-delivered');

    // End chat: EndSession on the chat, no Twilio request; the page shows it ended and offers no reply.
    const requestsBefore = h.fake.writes.length;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#chat-end');
    await page.waitForFunction(() => document.querySelector('#timeline')?.textContent?.includes('Ended by'), undefined, { timeout: 5000 });
    expect(await page.isHidden('#reply-text')).toBe(true);
    expect(h.fake.writes.length).toBe(requestsBefore);
    await screenshot(page, 'chat-ended');
  });
});
