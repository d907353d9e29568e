import { api, ApiFailure } from './api.js';
import type { Static } from '@sinclair/typebox';
import type { GetMySessionsResponse } from '../../sessions/my-sessions.js';
import { h } from './dom.js';
import { SessionsTable } from './sessions-table.js';
import { throttled, type View } from './view.js';

/**
 * The agent's view: GET /sessions/my (the caller's unended sessions), read again whenever the
 * stream brings a change to one of the account's sessions (at most every 500 ms); each row opens
 * the same detail page with the same controls.
 */
export const mySessionsView: View = (context, root) => {
  const table = new SessionsTable('my-sessions');
  const message = h('div', { role: 'status' });
  root.replaceChildren(h('h2', {}, 'My sessions'), message, table.element);
  let alive = true;
  const read = () => {
    api<Static<typeof GetMySessionsResponse.schema>>('GET', '/sessions/my')
      .then((answer) => {
        if (!alive) return;
        const items = answer.sessions ?? [];
        table.show(items);
        message.replaceChildren(items.length ? '' : h('p', { class: 'muted' }, 'You have no sessions right now.'));
      })
      .catch((error: unknown) => message.replaceChildren(h('p', { class: 'error' }, error instanceof ApiFailure ? error.message : String(error))));
  };
  const load = throttled(read, 500);
  read();
  const stop = context.store.listen(load);
  return () => {
    alive = false;
    stop();
    load.cancel();
  };
};
