import type { UserInfo } from '../../directory/user-info.js';
import { api, ApiFailure, query, type SessionList } from './api.js';
import { h } from './dom.js';
import { historyView } from './history-view.js';
import { LiveStream } from './live-stream.js';
import { liveSessionsView } from './live-sessions-view.js';
import { mySessionsView } from './my-sessions-view.js';
import { sessionDetailView } from './session-detail-view.js';
import { SessionStore } from './session-store.js';
import { signInView } from './sign-in-view.js';
import { isManager, type ConsoleContext, type View } from './view.js';
import { wallboardView } from './wallboard-view.js';

const ACCOUNT_KEY = 'switchboard.console.accountId';
const root = document.getElementById('app')!;

interface Route {
  readonly path: string;
  readonly label: string;
  readonly view: View;
  readonly managers: boolean;
}

/** The views, in the navigation's order; `managers` ones are neither linked nor drawn for a User. */
const ROUTES: readonly Route[] = [
  { path: 'wallboard', label: 'Wallboard', view: wallboardView, managers: true },
  { path: 'live', label: 'Live sessions', view: liveSessionsView, managers: true },
  { path: 'history', label: 'History', view: historyView, managers: true },
  { path: 'my', label: 'My sessions', view: mySessionsView, managers: false },
];

/** The sessions the board starts from: those created since the day before yesterday (UTC), newest first. */
async function loadRecent(store: SessionStore, accountId: string): Promise<void> {
  const since = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const list = await api<SessionList>('GET', `/sessions?${query({ accountIds: accountId, startDate: since, countPerPage: 1000 })}`);
  for (const s of list.items ?? []) store.put(s);
}

/** Ends the signed-in console's stream and timers (sign-out, account switch). */
let stopStream = () => {};

async function start(): Promise<void> {
  let user: UserInfo;
  try {
    user = await api<UserInfo>('GET', '/auth/status');
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return signInView(root, () => void start());
    root.replaceChildren(h('p', { class: 'error' }, `The console could not start: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  const accountIds = user.accountIds ?? [];
  const names = user.accountNames ?? [];
  const saved = localStorage.getItem(ACCOUNT_KEY);
  const accountId = accountIds.includes(saved ?? '') ? saved! : accountIds[0];
  if (!accountId) {
    root.replaceChildren(h('p', { class: 'error' }, 'You are signed in but belong to no account; ask a manager to add you to one.'));
    return;
  }
  const manager = isManager(user);
  const routes = ROUTES.filter((r) => manager || !r.managers);
  const store = new SessionStore();
  const status = h('span', { class: 'status', id: 'stream-status' }, 'connecting…');
  const context: ConsoleContext = { user, accountId, store, reload: () => loadRecent(store, accountId) };
  const stream = new LiveStream([`account:${accountId}`], {
    session: (s) => store.put(s),
    deleted: (gone) => store.remove(gone.id, gone.version),
    resync: () => void context.reload(),
    status: (state) => {
      status.textContent = state === 'live' ? '● live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
      status.dataset.state = state;
    },
  });
  const switcher =
    accountIds.length > 1
      ? h(
          'label',
          { class: 'who' },
          'Account ',
          h(
            'select',
            {
              id: 'account-switcher',
              onchange: (e: Event) => {
                localStorage.setItem(ACCOUNT_KEY, (e.target as HTMLSelectElement).value);
                stopView();
                stopStream();
                void start();
              },
            },
            ...accountIds.map((id, i) => h('option', { value: id, selected: id === accountId }, names[i] ?? id)),
          ),
        )
      : h('span', { class: 'who' }, names[0] ?? accountId);
  let stopView = () => {};
  const signOut = async () => {
    stopView();
    stopStream();
    await api('POST', '/auth/logout').catch(() => undefined);
    location.hash = '';
    void start();
  };
  const links = routes.map((r) => h('a', { href: `#/${r.path}`, 'data-route': r.path }, r.label));
  const main = h('main', { id: 'view' });
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'Switchboard'), h('nav', { 'aria-label': 'Views' }, ...links), switcher, h('span', { class: 'who' }, user.name ?? user.emailAddress ?? ''), status, h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out')),
    main,
  );
  const show = () => {
    stopView();
    const [, path = '', ...rest] = location.hash.split('/');
    const argument = decodeURIComponent(rest.join('/'));
    const route = path === 'sessions' && argument ? { path, view: sessionDetailView } : (routes.find((r) => r.path === path) ?? routes[0]!);
    for (const link of links) link.removeAttribute('aria-current');
    links.find((l) => l.dataset.route === route.path)?.setAttribute('aria-current', 'page');
    main.replaceChildren();
    stopView = route.view(context, main, argument);
  };
  onhashchange = show;
  // A day of ended calls stays in memory for today's counts and yesterday's chart line; older ones go.
  const prune = setInterval(() => {
    const yesterday = new Date();
    yesterday.setHours(0, 0, 0, 0);
    store.prune(yesterday.getTime() - 86_400_000);
  }, 600_000);
  stopStream = () => {
    clearInterval(prune);
    stream.stop();
  };
  // Stream first, then the REST read: a change committed between the two is in one or the other,
  // and the store keeps whichever copy is newer.
  stream.start();
  await loadRecent(store, accountId).catch(() => undefined);
  show();
}

void start();
