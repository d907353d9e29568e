/**
 * A bare browser `EventSource` in headless Chromium, signed in by the sign-in cookie: on the server's
 * own origin it heals a stream the server drops in the middle of many changes by its own reconnect
 * (Last-Event-ID) with every change once, in ledger order; from a page on another origin it works
 * with `withCredentials: true` when that origin is configured (CORS_ORIGINS), and is refused otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ACCOUNT_ID } from '../events/support/directory-seed.js';
import { addUser, signInCookie } from '../support/directory.js';
import { launchBrowser, newPage } from '../console/console-browser.js';
import { chatChanges, startStreamServer } from './support/stream-fixture.js';

interface Seen {
  /** Each SessionInfo frame: its id and the session's version. */
  changes: { id: number; version: number }[];
  opens: number;
  errors: number;
  /** readyState after the last error (2: closed for good). */
  state: number;
  /** The unregister URL of the latest onConnect. */
  unRegisterUrl?: string;
}

/** A tiny page server on another port of 127.0.0.1: another origin, the same site (so the cookie goes). */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>elsewhere</title><p>another origin</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

/** Signs the browser in as a Manager of the account, by the cookie the sign-in sets. */
async function signInByCookie(context: BrowserContext, server: Awaited<ReturnType<typeof startStreamServer>>) {
  const user = await addUser(server.store, `watcher-${Math.random().toString(36).slice(2)}@acme.test`, ['Manager'], [ACCOUNT_ID]);
  const cookie = await signInCookie(server.store, user);
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const [name, value] = pair.split('=') as [string, string];
      return { name, value, url: server.url };
    }),
  );
}

/** Opens an EventSource in the page and records what it sees in `window.seen`. */
async function openEventSource(page: Page, url: string, withCredentials: boolean) {
  await page.evaluate(
    ({ url, withCredentials }) => {
      const seen = { changes: [] as { id: number; version: number }[], opens: 0, errors: 0, state: 0 };
      (window as unknown as { seen: typeof seen }).seen = seen;
      const source = new EventSource(url, { withCredentials });
      source.onopen = () => void seen.opens++;
      source.onerror = () => {
        seen.errors++;
        seen.state = source.readyState;
      };
      source.onmessage = (e) => {
        const space = e.data.indexOf(' ');
        const selector = e.data.slice(0, space);
        if (selector === 'cmd.onConnect') (seen as { unRegisterUrl?: string }).unRegisterUrl = (JSON.parse(e.data.slice(space + 1)) as { unRegisterUrl: string }).unRegisterUrl;
        if (!selector.endsWith('@cmd.SessionInfo')) return;
        seen.changes.push({ id: Number(e.lastEventId), version: (JSON.parse(e.data.slice(space + 1)) as { version: number }).version });
      };
    },
    { url, withCredentials },
  );
}

const seenIn = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen }).seen);

async function until(page: Page, check: (seen: Seen) => boolean, what: string, timeoutMs = 15_000): Promise<Seen> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await seenIn(page);
    if (check(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...seen, changes: seen.changes.length })}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const streamPath = `/event-stream?channels=account:${ACCOUNT_ID}`;

describe('a browser EventSource', () => {
  it('signed in by cookie, heals a stream the server drops in the middle of 300 changes by its own reconnect: every change once, in ledger order', async () => {
    const server = await startStreamServer();
    const browser = await launchBrowser();
    const { context, page } = await newPage(browser);
    await signInByCookie(context, server);
    // Any page of the server's origin: the stream is same-origin, the cookie goes with it.
    await page.goto(`${server.url}/event-stream-test-page`).catch(() => {});
    const lastEventIds: string[] = [];
    // allHeaders: the headers as sent, the ones the network stack adds (Last-Event-ID) included.
    page.on('request', (request) => {
      if (request.url().includes('/event-stream?'))
        void request.allHeaders().then((headers) => headers['last-event-id'] && lastEventIds.push(headers['last-event-id']));
    });
    let connects = 0;
    page.on('response', (response) => {
      if (response.url().includes('/event-stream?') && response.status() === 200) connects++;
    });
    await openEventSource(page, streamPath, true);
    await until(page, (s) => s.opens === 1, 'the stream to open');

    const writing = chatChanges(server.url, server.key, 'chat-browser', 0, 300);
    await until(page, (s) => s.changes.length >= 60, 'changes before the drop');
    // The server drops the stream while changes keep coming: its subscription ends, the response with it.
    const { unRegisterUrl } = await seenIn(page);
    expect((await fetch(unRegisterUrl!, { method: 'POST' })).status).toBe(200);
    const atDrop = (await seenIn(page)).changes.length;
    await writing;

    const seen = await until(page, (s) => s.changes.length >= 300, 'all 300 changes');
    expect(atDrop).toBeLessThan(300);
    expect(seen.opens).toBeGreaterThanOrEqual(2);
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(lastEventIds.length).toBeGreaterThanOrEqual(1);
    expect(seen.changes.map((c) => c.version)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const ids = seen.changes.map((c) => c.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(300);
    expect(ids).toContain(Number(lastEventIds[0]));
  }, 60_000);

  it('on another origin opens the stream with withCredentials and the sign-in cookie when the origin is listed; an unlisted origin is refused', async () => {
    const listed = await pageServer();
    const stranger = await pageServer();
    const server = await startStreamServer({}, [listed.origin]);
    const browser = await launchBrowser();
    const { context, page } = await newPage(browser);
    await signInByCookie(context, server);

    await page.goto(`${listed.origin}/`);
    await openEventSource(page, `${server.url}${streamPath}`, true);
    await until(page, (s) => s.opens === 1, 'the cross-origin stream to open');
    await chatChanges(server.url, server.key, 'chat-elsewhere', 0, 3);
    const seen = await until(page, (s) => s.changes.length === 3, 'three changes on the other origin');
    expect(seen.changes.map((c) => c.version)).toEqual([1, 2, 3]);
    expect(seen.errors).toBe(0);

    /** The same signed-in browser, a fresh tab on `origin`: an EventSource the browser must refuse (closed for good). */
    const refusedOn = async (origin: string, withCredentials: boolean, what: string) => {
      const tab = await newPage(browser);
      await tab.context.addCookies(await context.cookies());
      await tab.page.goto(`${origin}/`);
      await openEventSource(tab.page, `${server.url}${streamPath}`, withCredentials);
      return { page: tab.page, seen: await until(tab.page, (s) => s.errors > 0 && s.state === 2, what) };
    };
    // Without credentials the cookie stays home: 401, and the browser gives up.
    expect((await refusedOn(listed.origin, false, 'the uncredentialed stream to fail')).seen.opens).toBe(0);
    // A page of an origin not listed: no CORS headers, so the browser refuses the stream.
    const { page: other, seen: refused } = await refusedOn(stranger.origin, true, 'the unlisted origin to be refused');
    await chatChanges(server.url, server.key, 'chat-elsewhere', 3, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(refused.opens).toBe(0);
    expect((await seenIn(other)).changes).toEqual([]);
  }, 60_000);
});
