import type { ChatTranscriptMessage, MessageInfo } from '../../messaging/message-dtos.js';
import type { SessionInfo } from '../../model/session-info.js';
import { api, ApiFailure } from './api.js';
import { h, time } from './dom.js';
import { control, type Feedback } from './call-controls.js';

/** A reply sent from this page and where Twilio's status callbacks say it is. */
interface SentReply {
  readonly sid: string;
  readonly text: string;
  status: string;
}

/**
 * The newest status the session's log records for a message: the fold logs "Message {sid}
 * delivered" (or sent, undelivered (30003)…) for each status callback it keeps.
 */
function statusInLog(session: SessionInfo, sid: string): string | undefined {
  const prefix = `Message ${sid} `;
  const line = [...(session.log ?? [])].reverse().find((l) => l.message?.startsWith(prefix));
  return line?.message?.slice(prefix.length);
}

/**
 * A chat's transcript (GET …/transcript), a box to reply (POST …/messages), and the delivery of
 * the replies sent from this page: the transcript's lines carry no status, the session log does.
 */
export function chatPanel(session: SessionInfo, feedback: Feedback): { element: HTMLElement; refresh(session: SessionInfo): void } {
  const path = `/sessions/${encodeURIComponent(session.id ?? '')}`;
  const list = h('ol', { class: 'timeline', id: 'transcript' });
  const status = h('p', { class: 'muted' }, 'Loading the transcript…');
  const text = h('textarea', { id: 'reply-text', rows: 2, 'aria-label': 'Reply', placeholder: 'Write a reply' });
  const sent: SentReply[] = [];
  const statuses = h('ul', { id: 'reply-statuses', class: 'muted', 'aria-live': 'polite' });
  let latest = session;
  const drawStatuses = () => {
    for (const reply of sent) reply.status = statusInLog(latest, reply.sid) ?? reply.status;
    statuses.replaceChildren(...sent.map((r) => h('li', {}, `“${r.text}” — `, h('b', { 'data-status': r.status }, r.status))));
  };
  const readTranscript = () => {
    api<{ messages?: ChatTranscriptMessage[] }>('GET', `${path}/transcript`)
      .then((answer) => {
        const messages = answer?.messages ?? [];
        status.textContent = messages.length ? '' : 'No messages yet.';
        list.replaceChildren(...messages.map((m) => h('li', {}, h('time', {}, `${time(m.date)} · ${m.from ?? ''}`), m.body ?? '')));
      })
      .catch((error: unknown) => (status.textContent = `The transcript could not be read: ${error instanceof ApiFailure ? error.message : String(error)}`));
  };
  const send = async (event: Event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    try {
      const info = await api<MessageInfo>('POST', `${path}/messages`, { body });
      text.value = '';
      feedback.ok('Reply sent.');
      if (info?.id) sent.push({ sid: info.id, text: info.text ?? body, status: 'queued' });
      drawStatuses();
      readTranscript();
    } catch (error) {
      feedback.fail(`The reply was not sent: ${error instanceof ApiFailure ? error.message : String(error)}`);
    }
  };
  // Ending a chat is EndSession on it: no Twilio request, the party's next text opens a new chat.
  const end = h('button', { type: 'button', id: 'chat-end', class: 'secondary', onclick: () => confirm('End this chat?') && control(feedback, 'End chat', 'DELETE', path) }, 'End chat');
  const reply = h('form', { class: 'inline', onsubmit: send }, text, h('button', { type: 'submit', id: 'reply-send' }, 'Send'), end);
  // By style: the form's `display: flex` would win over the hidden attribute.
  const showOpen = () => (reply.style.display = latest.ended ? 'none' : '');
  showOpen();
  readTranscript();
  const element = h(
    'section',
    {},
    h('h2', {}, 'Transcript'),
    status,
    list,
    statuses,
    reply,
  );
  return {
    element,
    refresh(next) {
      latest = next;
      showOpen();
      drawStatuses();
      readTranscript();
    },
  };
}
