import type { EndpointInfo } from '../../directory/endpoint-operations.js';
import { api, query } from './api.js';
import { callsPerHourChart } from './calls-per-hour-chart.js';
import { duration, h } from './dom.js';
import { queueBoard } from './queue-board.js';
import { throttled, type View } from './view.js';
import { wallboardStats, type AgentCounts, type AgentEndpoint } from './wallboard-stats.js';

const LEVEL_KEY = 'switchboard.console.serviceLevelSeconds';
/** How often the agent list is read again: endpoints are not on the stream. */
const AGENTS_REFRESH_MS = 60_000;
/** The soonest it is read again for an agent on a call it does not know. */
const AGENTS_RETRY_MS = 5_000;

const tile = (id: string, value: string | number, label: string) => h('div', { class: 'tile', id }, h('b', {}, value), h('span', {}, label));

/** "2 free · 1 on a call", with who is on a call; "—" until the agents are read. */
function agentsTile(agents: AgentCounts | undefined): HTMLElement {
  if (!agents) return tile('tile-agents', '—', 'agents');
  return h(
    'div',
    { class: 'tile wide', id: 'tile-agents', title: agents.onCall.length ? `On a call: ${agents.onCall.join(', ')}` : 'Nobody is on a call' },
    h('b', {}, `${agents.free} free · ${agents.onCall.length} on a call`),
    h('span', {}, `of ${agents.total} agent${agents.total === 1 ? '' : 's'}${agents.onCall.length ? ` (on a call: ${agents.onCall.join(', ')})` : ''}`),
  );
}

/** The Manager's board: live counts, waits, today's outcomes and service level, calls per hour. */
export const wallboardView: View = (context, root) => {
  let level = Number(localStorage.getItem(LEVEL_KEY)) || 20;
  const levelInput = h('input', { type: 'number', min: 1, max: 3600, value: level, id: 'service-level'});
  levelInput.addEventListener('change', () => {
    level = Math.max(1, Number(levelInput.value) || 20);
    localStorage.setItem(LEVEL_KEY, String(level));
    render();
  });
  const body = h('div', {});
  // The agents are the account's User endpoints (docs/console.md, Agents on the wallboard), read when the
  // board opens, every minute, and soon after an agent it does not know is on a call; who is on a
  // call follows the sessions the stream brings.
  let agents: AgentEndpoint[] | undefined;
  let agentsReadAt = 0;
  let unknownRetried = false;
  let stopped = false;
  function readAgents() {
    agentsReadAt = Date.now();
    api<{ items?: EndpointInfo[] }>('GET', `/endpoints?${query({ accountIds: context.accountId, type: 'User', all: true })}`)
      .then((list) => {
        const known = new Set(agents?.map((a) => a.id));
        agents = list?.items ?? [];
        // Someone new came: the next unknown agent may be read for at once too.
        if (agents.some((a) => !known.has(a.id))) unknownRetried = false;
        if (!stopped) render();
      })
      .catch(() => undefined);
  }
  readAgents();
  root.replaceChildren(h('h2', {}, 'Wallboard'), h('form', { class: 'inline', onsubmit: (e: Event) => e.preventDefault() }, h('label', {}, 'Service level (seconds)', levelInput)), body);
  function render() {
    const s = wallboardStats(context.store.all(), Date.now(), level, agents);
    const since = Date.now() - agentsReadAt;
    if (s.agents && since > AGENTS_REFRESH_MS) {
      unknownRetried = false;
      readAgents();
    } else if (s.agents?.unknownOnCall && since > AGENTS_RETRY_MS && !unknownRetried) {
      // Once a minute at most: an agent-role leg of a non-User endpoint would never be found.
      unknownRetried = true;
      readAgents();
    }
    body.replaceChildren(
      h(
        'div',
        { class: 'grid' },
        tile('tile-queued', s.totals.queued, 'queued'),
        tile('tile-ringing', s.totals.ringing, 'ringing'),
        tile('tile-connected', s.totals.connected, 'connected'),
        tile('tile-hold', s.totals.onHold, 'on hold'),
        tile('tile-wait', s.longestWaitMs ? duration(s.longestWaitMs) : '—', 'longest wait now'),
        agentsTile(s.agents),
      ),
      h(
        'div',
        { class: 'grid' },
        tile('tile-answered', s.answered, 'answered today'),
        tile('tile-missed', s.missed, 'missed today'),
        tile('tile-abandoned', s.abandoned, 'abandoned today'),
        h('div', { class: 'tile', id: 'tile-level' }, h('b', {}, s.serviceLevel === undefined ? '—' : `${Math.round(s.serviceLevel * 100)}%`), h('span', {}, `answered within ${level} s`)),
      ),
      h('section', {}, h('h2', {}, 'Live by queue and endpoint'), queueBoard(s.queues, s.totals)),
      h('section', {}, h('h2', {}, 'Calls per hour, today and yesterday'), callsPerHourChart(s.perHourToday, s.perHourYesterday)),
    );
  }
  const schedule = throttled(render);
  const stop = context.store.listen(schedule);
  // The longest wait grows while nothing changes.
  const tick = setInterval(schedule, 1000);
  render();
  return () => {
    stopped = true;
    stop();
    schedule.cancel();
    clearInterval(tick);
  };
};
