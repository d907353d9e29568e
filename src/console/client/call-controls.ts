import type { SessionInfo, SessionMemberInfo } from '../../model/session-info.js';
import { api, ApiFailure } from './api.js';
import { h } from './dom.js';

/** Where a control's outcome is shown: a notice, or the error as the API explained it. */
export interface Feedback {
  ok(message: string): void;
  fail(message: string): void;
}

const enc = encodeURIComponent;

/**
 * Runs one call-control request (issue 17's routes) and says what happened. The session itself is
 * not changed here: the page redraws when the stream brings the change Twilio's callback caused.
 */
export async function control(feedback: Feedback, what: string, method: string, path: string, body?: unknown): Promise<void> {
  try {
    await api(method, path, body);
    feedback.ok(`${what}: sent; the page updates when the session changes.`);
  } catch (error) {
    feedback.fail(`${what} failed: ${error instanceof ApiFailure ? error.message : String(error)}`);
  }
}

/** Whether the caller's leg is on hold (session-wide Hold toggles to Unhold); an agent held alone is not. */
function callerHeld(s: SessionInfo): boolean {
  const caller = s.callSid === undefined ? undefined : (s.members ?? []).find((m) => m.callSid === s.callSid);
  return caller ? caller.callState === 'Hold' : s.callState === 'Hold';
}

/**
 * The session-wide buttons: hold (unhold when the caller is held: there is no session-wide
 * unhold, so it takes the caller's conference leg off hold), transfer, add a member, record, end.
 * The element is kept across redraws so a destination being typed survives; `sync` relabels.
 */
export function sessionControls(session: () => SessionInfo, feedback: Feedback): { element: HTMLElement; sync(): void } {
  const id = () => enc(session().id ?? '');
  const destination = h('input', { id: 'control-destination', placeholder: '+15035550123, client:dana or a queue', 'aria-label': 'Destination for transfer or add member' });
  const dest = () => destination.value.trim();
  const need = (what: string) => {
    if (dest()) return true;
    feedback.fail(`${what}: enter a destination first.`);
    destination.focus();
    return false;
  };
  const hold = h('button', {
    type: 'button',
    id: 'control-hold',
    onclick: () => {
      const s = session();
      if (callerHeld(s)) return control(feedback, 'Unhold', 'PATCH', `/sessions/${id()}/conference/members/${enc(s.callSid ?? '')}`, { hold: false });
      return control(feedback, 'Hold', 'POST', `/sessions/${id()}/hold`, { callSid: s.callSid });
    },
  }, 'Hold');
  const element = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Call controls' },
    hold,
    h('button', { type: 'button', id: 'control-record', class: 'secondary', onclick: () => control(feedback, 'Record', 'POST', `/sessions/${id()}/record`) }, 'Record'),
    h('button', { type: 'button', id: 'control-end', class: 'secondary', onclick: () => confirm('End this session for everyone?') && control(feedback, 'End', 'DELETE', `/sessions/${id()}`) }, 'End'),
    destination,
    h('button', { type: 'button', id: 'control-transfer', onclick: () => need('Transfer') && control(feedback, 'Transfer', 'POST', `/sessions/${id()}/redirect`, { destination: dest() }) }, 'Transfer'),
    h(
      'button',
      { type: 'button', id: 'control-add', class: 'secondary', onclick: () => need('Add member') && control(feedback, 'Add member', 'POST', `/sessions/${id()}/conference/members`, { callSid: session().callSid, destination: dest() }) },
      'Add member',
    ),
  );
  return { element, sync: () => void (hold.textContent = callerHeld(session()) ? 'Unhold' : 'Hold') };
}

/** Hold/unhold and mute/unmute of one conference member (PATCH …/conference/members/{callSid}). */
export function memberControls(session: SessionInfo, member: SessionMemberInfo, feedback: Feedback): HTMLElement | null {
  if (!member.callSid || session.ended) return null;
  const path = `/sessions/${enc(session.id ?? '')}/conference/members/${enc(member.callSid)}`;
  const held = member.callState === 'Hold';
  const name = member.displayName ?? member.identity ?? member.callSid;
  return h(
    'span',
    { class: 'controls' },
    h('button', { type: 'button', class: 'secondary', 'aria-label': `${held ? 'Unhold' : 'Hold'} ${name}`, onclick: () => control(feedback, held ? `Unhold ${name}` : `Hold ${name}`, 'PATCH', path, { hold: !held }) }, held ? 'Unhold' : 'Hold'),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `${member.muted ? 'Unmute' : 'Mute'} ${name}`, onclick: () => control(feedback, member.muted ? `Unmute ${name}` : `Mute ${name}`, 'PATCH', path, { muted: !member.muted }) }, member.muted ? 'Unmute' : 'Mute'),
  );
}
