import type { FastifyInstance } from 'fastify';
import { BASIC_CHALLENGE } from '../auth/authenticator.js';
import type { AuthenticateRequest } from '../http/register-operations.js';
import { escapeHtml } from '../wire/html/escape.js';
import { page } from '../wire/html/layout.js';

/**
 * The browser's side of the page: a bare EventSource on the same origin (the sign-in cookie or the
 * browser's Basic credentials go with it), each session shown once at its newest version, and the
 * raw frames below, newest first. It resumes by itself: EventSource reconnects with Last-Event-ID.
 */
const SCRIPT = `
const params = new URLSearchParams(location.search);
const channels = params.get('channels') || '*';
const rows = new Map();
const table = document.getElementById('sessions');
const log = document.getElementById('frames');
const status = document.getElementById('status');
const text = (v) => document.createTextNode(v == null ? '' : String(v));
const source = new EventSource('/event-stream?channels=' + encodeURIComponent(channels).replace(/%2C/g, ',').replace(/%3A/g, ':'), { withCredentials: true });
source.onopen = () => { status.textContent = 'connected'; };
source.onerror = () => { status.textContent = 'reconnecting…'; };
source.onmessage = (e) => {
  const space = e.data.indexOf(' ');
  const selector = e.data.slice(0, space);
  const body = e.data.slice(space + 1);
  const li = document.createElement('li');
  li.appendChild(text((e.lastEventId ? '#' + e.lastEventId + ' ' : '') + selector + ' ' + body.slice(0, 300)));
  log.prepend(li);
  while (log.children.length > 200) log.lastChild.remove();
  const deleted = selector.endsWith('@cmd.SessionDeleted');
  if (!deleted && !selector.endsWith('@cmd.SessionInfo')) return;
  const s = JSON.parse(body);
  const known = rows.get(s.id);
  if (known && known.version >= s.version && !s.archived) return;
  if (deleted) {
    if (known) known.tr.remove();
    rows.set(s.id, { tr: document.createElement('tr'), version: s.version });
    return;
  }
  const tr = known ? known.tr : table.insertRow(1);
  tr.replaceChildren(...[s.id, s.channel, s.direction, s.fromAddress, s.toAddress, s.callState, s.archived ? 'archived' : s.ended ? 'ended' : 'live', s.version, e.lastEventId].map((v) => { const td = document.createElement('td'); td.appendChild(text(v)); return td; }));
  rows.set(s.id, { tr, version: s.version });
};`;

/** GET /stream: the live feed of the caller's channels (`?channels=`, default `*`), for people debugging an integration. */
export function registerStreamPage(app: FastifyInstance, authenticate: AuthenticateRequest): void {
  app.get('/stream', async (request, reply) => {
    const caller = await authenticate(request).catch(() => undefined);
    if (!caller) {
      reply.raw.statusMessage = 'Unauthorized';
      return reply.code(401).header('www-authenticate', BASIC_CHALLENGE).send();
    }
    const channels = String((request.query as { channels?: string }).channels ?? '*');
    const content =
      `<section><h2>Live sessions</h2><p class="muted">Channels <code>${escapeHtml(channels)}</code> · <span id="status">connecting…</span> · ` +
      `add <code>?channels=account:ID,session:ID</code> to follow others</p>` +
      `<table id="sessions"><tr><th>Session</th><th>Channel</th><th>Direction</th><th>From</th><th>To</th><th>State</th><th></th><th>Version</th><th>Event id</th></tr></table></section>` +
      `<section><h2>Frames</h2><ol id="frames" class="muted"></ol></section><script>${SCRIPT}</script>`;
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(page('Switchboard live stream', { formats: {} }, content));
  });
}
