import { api, ApiFailure, query, type SessionList } from './api.js';
import { h } from './dom.js';
import { SessionsTable } from './sessions-table.js';
import type { View } from './view.js';

interface Named {
  id?: string;
  name?: string;
  displayName?: string;
  breadcrumb?: { name?: string }[];
}

const PAGE = 25;

/**
 * GET /sessions with its filters and paging. The CSV link is built from the very query that drew
 * the table (plus format=csv), so the export holds exactly the rows shown.
 */
export const historyView: View = (context, root) => {
  const field = (name: string, label: string, attrs: Record<string, unknown> = {}) => h('label', {}, label, h('input', { name, id: `history-${name}`, ...attrs }));
  const customer = h('select', { name: 'customerIds', id: 'history-customerIds' }, h('option', { value: '' }, 'any'));
  const endpoint = h('select', { name: 'endpointIds', id: 'history-endpointIds' }, h('option', { value: '' }, 'any'));
  const form = h(
    'form',
    { class: 'inline', id: 'history-filters' },
    field('startDate', 'From date (UTC)', { type: 'date' }),
    field('endDate', 'To date (UTC)', { type: 'date' }),
    field('from', 'From address'),
    field('to', 'To address'),
    h('label', {}, 'Customer (and below)', customer),
    h('label', {}, 'Endpoint', endpoint),
    field('log', 'Text in the log', { minlength: 3 }),
    h('label', {}, 'Archive', h('input', { type: 'checkbox', name: 'searchArchive', id: 'history-searchArchive' })),
    h('button', { type: 'submit' }, 'Search'),
  );
  const message = h('div', { role: 'status' });
  const table = new SessionsTable('history-sessions');
  const summary = h('span', { class: 'muted' });
  const previous = h('button', { type: 'button', class: 'secondary', disabled: true }, '← Newer');
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Older →');
  const csv = h('a', { id: 'history-csv', href: '#' }, 'Export CSV');
  root.replaceChildren(h('h2', {}, 'History'), h('section', {}, form), message, h('section', {}, table.element, h('div', { class: 'controls' }, previous, next, summary, csv)));
  let page = 0;
  let alive = true;

  const filters = () => {
    const data = new FormData(form);
    const get = (k: string) => String(data.get(k) ?? '').trim() || undefined;
    return { accountIds: context.accountId, startDate: get('startDate'), endDate: get('endDate'), from: get('from'), to: get('to'), customerIds: get('customerIds'), endpointIds: get('endpointIds'), log: get('log'), searchArchive: data.get('searchArchive') ? true : undefined };
  };
  async function search() {
    const q = query({ ...filters(), page, countPerPage: PAGE });
    csv.href = `/sessions?${q}&format=csv`;
    try {
      const list = await api<SessionList>('GET', `/sessions?${q}`);
      if (!alive) return;
      message.replaceChildren();
      table.show(list.items ?? []);
      summary.textContent = `page ${page + 1} of ${Math.max(1, list.totalPages ?? 1)} · ${list.totalCount ?? list.items.length} sessions`;
      previous.disabled = page === 0;
      next.disabled = !list.hasMorePages;
    } catch (error) {
      message.replaceChildren(h('p', { class: 'error' }, error instanceof ApiFailure ? error.message : String(error)));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page = 0;
    void search();
  });
  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    void search();
  });
  next.addEventListener('click', () => {
    page++;
    void search();
  });
  const fill = (select: HTMLSelectElement, items: Named[]) => select.append(...items.map((i) => h('option', { value: i.id }, (i.breadcrumb?.length ? i.breadcrumb.map((b) => b.name).join(' › ') : undefined) ?? i.displayName ?? i.name ?? i.id ?? '')));
  void api<{ items: Named[] }>('GET', `/customers?${query({ accountIds: context.accountId, countPerPage: 1000 })}`).then((l) => fill(customer, l.items ?? []), () => undefined);
  void api<{ items: Named[] }>('GET', `/endpoints?${query({ accountIds: context.accountId, countPerPage: 1000 })}`).then((l) => fill(endpoint, l.items ?? []), () => undefined);
  void search();
  return () => (alive = false);
};
