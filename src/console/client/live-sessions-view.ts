import { h } from './dom.js';
import { SessionsTable } from './sessions-table.js';
import type { View } from './view.js';

/** The calls and chats happening now, newest first; a row updates in place and leaves when its session ends. */
export const liveSessionsView: View = (context, root) => {
  const table = new SessionsTable('live-sessions');
  const empty = h('p', { class: 'muted' }, 'Nothing is happening right now.');
  root.replaceChildren(h('h2', {}, 'Live sessions'), table.element, empty);
  const live = context.store
    .all()
    .filter((s) => !s.ended)
    .sort((a, b) => (b.dateCreated ?? '').localeCompare(a.dateCreated ?? ''));
  table.show(live);
  empty.hidden = table.size > 0;
  const stop = context.store.listen((s) => {
    if (s.ended) table.remove(s.id ?? '');
    else table.update(s);
    empty.hidden = table.size > 0;
  });
  return stop;
};
