import type { SessionInfo } from '../../model/session-info.js';
import { h, time } from './dom.js';
import { liveState } from './wallboard-stats.js';

const STATE_LABEL = { queued: 'Queued', ringing: 'Ringing', connected: 'Connected', onHold: 'Hold' } as const;

/** The state a person reads in a row: ended, on hold, queued, ringing, connected. */
export function stateOf(s: SessionInfo): string {
  if (s.ended) return 'ended';
  const state = liveState(s);
  return state ? STATE_LABEL[state] : (s.callState ?? '');
}

const COLUMNS = ['Started', 'Channel', 'Direction', 'From', 'To', 'Endpoint', 'Agent', 'State', 'Outcome'];

function cells(s: SessionInfo): (string | Node)[] {
  const state = stateOf(s);
  return [time(s.dateCreated), s.channel ?? '', s.direction ?? '', s.fromName || s.fromAddress || '', s.toAddress ?? '', s.endpointName ?? '', s.answeredByName ?? '', h('span', { class: `badge ${state === 'ended' ? 'ended' : state}` }, state === 'Hold' ? 'on hold' : state), s.outcome ?? ''];
}

/**
 * A table of sessions, one row per session keyed by id: `update` changes a row in place (or adds it
 * at the top), so a row being read does not jump; Enter or a click opens the session.
 */
export class SessionsTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody', {});
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(id: string) {
    this.element = h('div', { class: 'scroll' }, h('table', { id }, h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', {}, c)))), this.body));
  }

  /** Replaces every row with `sessions`, in the order given. */
  show(sessions: readonly SessionInfo[]): void {
    this.rows.clear();
    this.body.replaceChildren(...sessions.map((s) => this.row(s)));
  }

  update(s: SessionInfo, atTop = true): void {
    if (!s.id) return;
    const known = this.rows.get(s.id);
    if (known) known.replaceChildren(...cells(s).map((c) => h('td', {}, c)));
    else if (atTop) this.body.prepend(this.row(s));
    else this.body.append(this.row(s));
  }

  remove(id: string): void {
    this.rows.get(id)?.remove();
    this.rows.delete(id);
  }

  get size(): number {
    return this.rows.size;
  }

  private row(s: SessionInfo): HTMLTableRowElement {
    const open = () => (location.hash = `#/sessions/${encodeURIComponent(s.id ?? '')}`);
    const tr = h('tr', { class: 'row-link', tabindex: 0, 'data-session': s.id, onclick: open, onkeydown: (e: KeyboardEvent) => e.key === 'Enter' && open() }, ...cells(s).map((c) => h('td', {}, c)));
    this.rows.set(s.id ?? '', tr);
    return tr;
  }
}
