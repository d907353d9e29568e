import { h } from './dom.js';
import type { QueueCounts } from './wallboard-stats.js';

/** The live counts per queue or endpoint, with a totals row; the table is rebuilt whole (tens of rows). */
export function queueBoard(queues: readonly QueueCounts[], totals: QueueCounts): HTMLElement {
  const row = (q: QueueCounts, tag: 'td' | 'th') =>
    h('tr', { 'data-queue': q.key }, h(tag, {}, q.name), h('td', { class: 'num' }, q.queued), h('td', { class: 'num' }, q.ringing), h('td', { class: 'num' }, q.connected), h('td', { class: 'num' }, q.onHold));
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { id: 'queue-board' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Queue / endpoint'), h('th', { class: 'num' }, 'Queued'), h('th', { class: 'num' }, 'Ringing'), h('th', { class: 'num' }, 'Connected'), h('th', { class: 'num' }, 'On hold'))),
      h('tbody', {}, ...queues.map((q) => row(q, 'td')), queues.length ? null : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No live calls'))),
      h('tfoot', {}, row(totals, 'th')),
    ),
  );
}
