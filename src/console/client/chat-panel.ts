import type { SessionInfo } from '../../model/session-info.js';
import { api, ApiFailure } from './api.js';
import { h, time } from './dom.js';
import type { Feedback } from './call-controls.js';

interface TranscriptMessage {
  date?: string;
  from?: string;
  body?: string;
}

/** A chat's transcript (GET …/transcript) and a box to reply (POST …/messages, issue 18's routes). */
export function chatPanel(session: SessionInfo, feedback: Feedback): { element: HTMLElement; refresh(): void } {
  const path = `/sessions/${encodeURIComponent(session.id ?? '')}`;
  const list = h('ol', { class: 'timeline', id: 'transcript' });
  const status = h('p', { class: 'muted' }, 'Loading the transcript…');
  const text = h('textarea', { id: 'reply-text', rows: 2, 'aria-label': 'Reply', placeholder: 'Write a reply' });
  const refresh = () => {
    api<{ messages?: TranscriptMessage[] }>('GET', `${path}/transcript`)
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
      await api('POST', `${path}/messages`, { body });
      text.value = '';
      feedback.ok('Reply sent.');
      refresh();
    } catch (error) {
      feedback.fail(`The reply was not sent: ${error instanceof ApiFailure ? error.message : String(error)}`);
    }
  };
  refresh();
  const element = h('section', {}, h('h2', {}, 'Transcript'), status, list, h('form', { class: 'inline', onsubmit: send }, text, h('button', { type: 'submit', id: 'reply-send' }, 'Send')));
  return { element, refresh };
}
