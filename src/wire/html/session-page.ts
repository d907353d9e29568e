import type { SessionInfo } from '../../model/session-info.js';
import { escapeHtml } from './escape.js';

const chip = (label: string, value: unknown) =>
  value === undefined || value === null || value === '' ? '' : `<span><b>${escapeHtml(label)}</b>${escapeHtml(value)}</span>`;

/** A session for a person: its states at a glance, who took part, and the log as a timeline. */
export function sessionContent(s: SessionInfo): string {
  const states = [
    chip('Channel', s.channel),
    chip('Direction', s.direction),
    chip('Call', s.callState),
    chip('Dial', s.dialState),
    chip('Queue', s.queueState),
    chip('Hold', s.holdReason === 'None' ? undefined : s.holdReason),
    chip('Ended', s.ended === undefined ? undefined : s.ended ? 'yes' : 'no'),
    chip('Missed', s.wasMissed ? 'yes' : undefined),
    chip('Outcome', s.outcome),
  ].join('');
  const facts: Array<[string, unknown]> = [
    ['From', [s.fromName, s.fromAddress].filter(Boolean).join(' · ')],
    ['To', s.toAddress],
    ['Destination', s.destination],
    ['Account', s.accountName ?? s.accountId],
    ['Customer', (s.customerBreadcrumb ?? []).map((c) => c.name).join(' › ') || s.customerName],
    ['Endpoint', s.endpointName ?? s.endpointId],
    ['Answered by', s.answeredByName ?? s.answeredById],
    ['Created', s.dateCreated],
    ['Completed', s.dateCompleted],
    ['Call SID', s.callSid],
    ['Conference SID', s.conferenceSid],
    ['Hold queue', s.holdQueueName],
    ['Console data', s.consoleData],
  ];
  const factRows = facts
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const members = (s.members ?? [])
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.displayName ?? m.identity)}<br><span class="muted">${escapeHtml(m.identity)}</span></td><td>${escapeHtml(m.role)}</td><td>${escapeHtml(m.callState)}</td><td>${m.muted ? 'muted' : ''}</td><td>${m.isOriginalMember ? 'original' : ''}</td><td class="muted">${escapeHtml(m.callSid)}</td></tr>`,
    )
    .join('');
  const log = (s.log ?? [])
    .map((entry) => `<li><time>${escapeHtml(entry.date)}</time>${escapeHtml(entry.message)}</li>`)
    .join('');
  return (
    `<section><h2>State</h2><div class="chips">${states}</div><table>${factRows}</table></section>` +
    `<section><h2>Members</h2>${members ? `<table><tr><th>Who</th><th>Role</th><th>Call</th><th></th><th></th><th>Call SID</th></tr>${members}</table>` : '<span class="muted">No members</span>'}</section>` +
    `<section><h2>Log</h2>${log ? `<ol class="timeline">${log}</ol>` : '<span class="muted">Nothing logged</span>'}</section>`
  );
}
