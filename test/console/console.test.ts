/**
 * The console end to end: a real server on 127.0.0.1 over the seeded directory, headless Chromium,
 * signed Twilio callbacks. Screenshots of each view land in data/console-screenshots/.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, seedDirectory } from '../events/support/directory-seed.js';
import { addUser, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { incomingCall } from '../stream/support/stream-fixture.js';
import { PASSWORD, addManager, liveConferenceCall, startHarness } from '../control/support/control-harness.js';
import { cuttableProxy } from './cuttable-proxy.js';
import { launchBrowser, newPage, screenshot, signIn } from './console-browser.js';

const MANAGER = { email: 'manager@acme.test', password: 'manager-password-1' };
const AGENT = { email: 'agent@other.test', password: 'agent-password-1' };

async function startConsoleServer() {
  const server = await startTestServer();
  await seedDirectory(server.store.db);
  const manager = await addUser(server.store, MANAGER.email, ['Manager'], [ACCOUNT_ID, OTHER_ACCOUNT_ID], MANAGER.password);
  await addUser(server.store, AGENT.email, ['User'], [OTHER_ACCOUNT_ID], AGENT.password);
  const cookie = await signInCookie(server.store, manager);
  /** The account's sessions as the Manager reads them by REST. */
  const sessionsOf = async (accountId: string) =>
    ((await (await fetch(`${server.url}/sessions?accountIds=${accountId}`, { headers: { cookie, accept: 'application/json' } })).json()) as { items: { id: string }[] }).items;
  return { ...server, sessionsOf, managerCookie: cookie };
}

const tile = (name: string) => `#tile-${name} b`;

describe('console', () => {
  it('signs a Manager in; a signed inbound call shows on the wallboard and in live sessions within a second; the detail and history views draw', async () => {
    const server = await startConsoleServer();
    const browser = await launchBrowser();
    const { page } = await newPage(browser);
    await signIn(page, server.url, MANAGER.email, MANAGER.password);
    await page.waitForSelector('#queue-board');
    expect(await page.textContent(tile('ringing'))).toBe('0');
    await screenshot(page, 'wallboard-empty');

    const sent = Date.now();
    await incomingCall(server.url, 1);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', tile('ringing'), { timeout: 1000 });
    const onBoard = Date.now() - sent;
    expect(onBoard).toBeLessThan(1000);
    expect(await page.textContent('#queue-board tbody')).toContain('Main line');
    await screenshot(page, 'wallboard-ringing');

    await page.click('a[data-route=live]');
    const row = page.locator('#live-sessions tr[data-session]');
    await row.first().waitFor({ timeout: 1000 });
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('+15035551234');
    await screenshot(page, 'live-sessions');

    // Keyboard: the row takes focus and Enter opens the detail.
    await row.first().focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail-state');
    expect(await page.textContent('#detail-state')).toBe('Ringing');
    expect(await page.textContent('#timeline')).toContain('Incoming call');
    await screenshot(page, 'session-detail');

    // A ringing call is not connected yet, so there is nothing to hold: the server's 409 is shown.
    await page.click('#control-hold');
    await page.waitForSelector('#feedback .error');
    expect(await page.textContent('#feedback')).toMatch(/^Hold failed: .*is not connected; only a connected call can be held/);
    await screenshot(page, 'session-detail-hold');

    await page.click('a[data-route=history]');
    await page.waitForSelector('#history-sessions tr[data-session]');
    const csvHref = await page.getAttribute('#history-csv', 'href');
    expect(csvHref).toContain('format=csv');
    await screenshot(page, 'history');
  });

  it('the board counts the account\'s agents free and on a call, and follows a call connecting and ending without a reload, an agent added meanwhile included', async () => {
    const h = await startHarness();
    const manager = await addManager(h);
    const browser = await launchBrowser();
    const { page } = await newPage(browser);
    await signIn(page, h.url, manager.email, PASSWORD);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '2 free · 0 on a call', tile('agents'));
    // A third agent beside the seeded Dana and Lee, added while the board is open: endpoints are not on the stream.
    await h.store.db
      .insertInto('endpoints')
      .values({ account_id: ACCOUNT_ID, id: 'ep_agent_kim', type: 'User', display_name: 'Kim Agent', customer_id: null, phone_number: null, identity: 'client:kim', email: null, avatar_url: null, date_created: new Date().toISOString(), date_last_modified: new Date().toISOString() })
      .execute();

    // Kim answers: the board, which did not know her, reads its agents again (docs/console.md).
    const call = await liveConferenceCall(h, undefined, undefined, 'client:kim');
    await page.waitForFunction(
      ([agents, connected]) => document.querySelector(agents!)?.textContent === '2 free · 1 on a call' && document.querySelector(connected!)?.textContent === '1',
      [tile('agents'), tile('connected')],
      { timeout: 10_000 },
    );
    expect(await page.textContent('#tile-agents')).toContain('of 3 agents (on a call: Kim Agent)');
    await screenshot(page, 'wallboard-agent-on-call');

    h.fake.setCallStatus(call.agentSid, 'completed');
    h.fake.setCallStatus(call.callerSid, 'completed');
    await h.fake.settled();
    // Dana's leg and the caller's end arrive as separate changes: wait for the board to show both.
    await page.waitForFunction(
      ([agents, connected]) => document.querySelector(agents!)?.textContent === '3 free · 0 on a call' && document.querySelector(connected!)?.textContent === '0',
      [tile('agents'), tile('connected')],
      { timeout: 5000 },
    );
    await screenshot(page, 'wallboard-agents-free');
  });

  it('the board catches up after the network under it is cut and restored: calls that came in meanwhile are counted; deleted sessions leave it', async () => {
    const server = await startConsoleServer();
    const browser = await launchBrowser();
    const proxy = await cuttableProxy(server.url);
    const { page } = await newPage(browser);
    await signIn(page, proxy.url, MANAGER.email, MANAGER.password);
    await page.waitForSelector('#queue-board');
    await incomingCall(server.url, 1);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', tile('ringing'));

    proxy.cut();
    await page.waitForSelector('#stream-status:not([data-state=live])', { timeout: 10_000 });
    await incomingCall(server.url, 2);
    await incomingCall(server.url, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await page.textContent(tile('ringing'))).toBe('1');
    proxy.restore();
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '3', tile('ringing'), { timeout: 15_000 });
    await page.waitForSelector('#stream-status[data-state=live]');
    await screenshot(page, 'wallboard-after-reconnect');

    // A Manager deletes the account's sessions elsewhere: the board drops them without a reload.
    const deleted = await fetch(`${server.url}/sessions?accountId=${ACCOUNT_ID}&startDateTime=2000-01-01&endDateTime=2100-01-01`, { method: 'DELETE', headers: { cookie: server.managerCookie } });
    expect(deleted.status).toBe(204);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '0', tile('ringing'), { timeout: 10_000 });
  });

  it('a User sees neither the wallboard nor another account\'s sessions; at phone size the page fits its width', async () => {
    const server = await startConsoleServer();
    await incomingCall(server.url, 1);
    const [acme] = await server.sessionsOf(ACCOUNT_ID);
    expect(acme?.id).toBeTruthy();
    const browser = await launchBrowser();
    const { page } = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, server.url, AGENT.email, AGENT.password);
    await page.waitForSelector('#my-sessions');
    expect(await page.locator('a[data-route=wallboard]').count()).toBe(0);
    await page.goto(`${server.url}/console#/wallboard`);
    await page.waitForSelector('#my-sessions');
    expect(await page.locator('#queue-board').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await screenshot(page, 'agent-phone');

    await page.goto(`${server.url}/console#/sessions/${acme?.id}`);
    await page.waitForSelector('#feedback .error');
    expect(await page.textContent('#feedback')).toContain('does not exist or is not in your accounts');
    expect(await page.locator('#detail-state').count()).toBe(0);
    await screenshot(page, 'agent-foreign-session');
  });
});
