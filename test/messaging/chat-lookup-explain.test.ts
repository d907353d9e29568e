/**
 * Every inbound text looks up its party's chat: the lookup must read the partial chat indexes of
 * migration 010, not walk the endpoint's sessions (bench/messaging measured the walk).
 */
import { describe, expect, it } from 'vitest';
import { MessagesRepository } from '../../src/messaging/messages-repository.js';
import { queryPlan } from '../support/query-plan.js';
import { openTestStore } from '../support/test-store.js';


describe('chat lookup plan', () => {
  it('finds a party’s chat through sessions_chat_from / sessions_chat_to', async () => {
    const store = await openTestStore();
    const repository = new MessagesRepository(store.db);
    for (const [direction, index] of [
      ['Incoming', 'sessions_chat_from'],
      ['Outgoing', 'sessions_chat_to'],
    ] as const) {
      for (const options of [{ openOnly: true }, { since: '2026-06-01T00:00:00Z' }]) {
        expect(await queryPlan(store, repository.chatSessionsQuery('acct', { endpointId: 'ep', otherAddress: '+15035557777' }, direction, options))).toContain(index);
      }
    }
  });

  it('asks whether the sender is an invited chat member through the chat_members key, as every text does first', async () => {
    const store = await openTestStore();
    const plan = await queryPlan(store, new MessagesRepository(store.db).invitationsQuery('acct', { endpointId: 'ep', otherAddress: '+15035557777' }));
    // SQLite names a primary key's index sqlite_autoindex_{table}_1.
    expect(plan).toMatch(/chat_members_pk|sqlite_autoindex_chat_members_1/);
  });
});
