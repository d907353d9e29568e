import type { SessionInfo } from '../../model/session-info.js';
import { api, ApiFailure } from './api.js';
import { memberControls, sessionControls, type Feedback } from './call-controls.js';
import { chatPanel } from './chat-panel.js';
import { append, h, time } from './dom.js';
import { stateOf } from './sessions-table.js';
import { sessionTimeline } from './session-timeline.js';
import { isManager, type View } from './view.js';

function facts(s: SessionInfo): HTMLElement {
  const state = stateOf(s);
  const rows: [string, string | Node][] = [
    ['State', h('span', { class: `badge ${state === 'ended' ? 'ended' : state}`, id: 'detail-state' }, state === 'Hold' ? 'on hold' : state)],
    ['Channel', `${s.channel ?? ''} ${s.direction ?? ''}`],
    ['From', `${s.fromName ? `${s.fromName} ` : ''}${s.fromAddress ?? ''}`],
    ['To', s.toAddress ?? ''],
    ['Call / queue / dial state', `${s.callState ?? '—'} / ${s.queueState ?? '—'} / ${s.dialState ?? '—'}`],
    ['Endpoint', s.endpointName ?? s.endpointId ?? ''],
    ['Customer', (s.customerBreadcrumb ?? []).map((b) => b.name).join(' › ') || (s.customerName ?? '')],
    ['Answered by', s.answeredByName ?? ''],
    ['Hold', s.holdReason && s.holdReason !== 'None' ? s.holdReason : s.callState === 'Hold' ? 'on hold' : ''],
    ['Started', time(s.dateCreated)],
    ['Completed', time(s.dateCompleted)],
    ['Outcome', `${s.outcome ?? ''}${s.wasMissed ? ' (missed)' : ''}`],
  ];
  return h('div', { class: 'scroll' }, h('table', {}, ...rows.filter(([, v]) => v !== '').map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}

function members(s: SessionInfo, feedback: Feedback): HTMLElement {
  const list = s.members ?? [];
  if (!list.length) return h('p', { class: 'muted' }, 'No members.');
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { id: 'members' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Member'), h('th', {}, 'Role'), h('th', {}, 'Call state'), h('th', {}, 'Muted'), h('th', {}, ''))),
      h('tbody', {}, ...list.map((m) => h('tr', {}, h('td', {}, m.displayName ?? m.identity ?? ''), h('td', {}, m.role ?? ''), h('td', {}, m.callState === 'Hold' ? 'on hold' : (m.callState ?? '')), h('td', {}, m.muted ? 'muted' : ''), h('td', {}, memberControls(s, m, feedback) ?? '')))),
    ),
  );
}

/** One session: its states, members, log, transcript for chats, and the controls. */
export const sessionDetailView: View = (context, root, id) => {
  const message = h('div', { id: 'feedback', role: 'status' });
  const feedback: Feedback = {
    ok: (text) => message.replaceChildren(h('p', { class: 'notice' }, text)),
    fail: (text) => message.replaceChildren(h('p', { class: 'error' }, text)),
  };
  // The store keeps an ended session only as the wallboard counts it: this page reads it whole.
  const whole = (s: SessionInfo | undefined) => (s?.ended ? undefined : s);
  let current: SessionInfo | undefined = whole(context.store.get(id));
  const info = h('div', {});
  let chat: ReturnType<typeof chatPanel> | undefined;
  const controls = sessionControls(() => current ?? {}, feedback);
  root.replaceChildren(h('p', {}, isManager(context.user) ? h('a', { href: '#/live' }, '← Live sessions') : h('a', { href: '#/my' }, '← My sessions'), ' · ', h('a', { href: `/sessions/${encodeURIComponent(id)}` }, 'API page')), h('h2', {}, 'Session ', h('code', {}, id)), message, info);
  function render() {
    const s = current;
    if (!s) return;
    if (s.channel === 'Chat' && !chat) chat = chatPanel(s, feedback);
    info.replaceChildren();
    controls.sync();
    append(info, [
      h('section', {}, facts(s)),
      s.channel === 'Chat' ? null : h('section', {}, h('h2', {}, 'Control'), s.ended ? h('p', { class: 'muted' }, 'The session has ended.') : controls.element),
      h('section', {}, h('h2', {}, 'Members'), members(s, feedback)),
      chat?.element,
      h('section', {}, h('h2', {}, 'Log'), sessionTimeline(s)),
    ]);
  }
  render();
  api<SessionInfo>('GET', `/sessions/${encodeURIComponent(id)}`)
    .then((s) => {
      context.store.put(s);
      current = whole(context.store.get(id)) ?? s;
      render();
    })
    .catch((error: unknown) => feedback.fail(error instanceof ApiFailure ? error.message : String(error)));
  return context.store.listen((s) => {
    if (s.id !== id) return;
    if (s.deleted) {
      current = undefined;
      info.replaceChildren();
      feedback.fail('This session was deleted.');
      return;
    }
    current = s;
    render();
    chat?.refresh(s);
  });
};
