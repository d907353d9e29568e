import type { SessionInfo } from '../../model/session-info.js';
import { h, time } from './dom.js';

/** The session's log as a timeline, oldest first, as the per-session HTML page shows it. */
export function sessionTimeline(session: SessionInfo): HTMLElement {
  const log = session.log ?? [];
  return log.length ? h('ol', { class: 'timeline', id: 'timeline' }, ...log.map((l) => h('li', {}, h('time', {}, time(l.date)), l.message ?? ''))) : h('p', { class: 'muted' }, 'No log yet.');
}
