/**
 * ListConversations (`GET /conversations`) pages like every list: page and countPerPage (or all),
 * totals and hasMorePages, specificIds (conversation ids), sortField and sortOrder,
 * simplifiedPaging; a chat member's text stays in the conversation of the chat it was written in;
 * the tenant wall holds. Texts come in through the signed webhook of the local Twilio fake.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_ID, ACCOUNT_SID, MAIN_LINE, OTHER_ACCOUNT_ID, PUBLIC_URL, startHarness, type Harness } from '../control/support/control-harness.js';

const SMS_URL = `${PUBLIC_URL}/twilio/messaging`;
/** Five parties, texting in this order (so the newest conversation is the last one's). */
const PARTIES = ['+15035550103', '+15035550101', '+15035550105', '+15035550102', '+15035550104'];

interface Conversation {
  id: string;
  endpointId: string;
  otherAddress: string;
  mostRecentMessage: { text: string; otherAddress: string; sender: string };
}
interface Page {
  conversations: Conversation[];
  totalCount?: number;
  totalPages?: number;
  hasMorePages: boolean;
}

async function seeded(): Promise<Harness & { list(query?: string): Promise<Page> }> {
  const h = await startHarness();
  for (const [n, from] of PARTIES.entries()) {
    expect((await h.fake.receiveText(ACCOUNT_SID, SMS_URL, { from, to: MAIN_LINE, body: `question ${n}` })).status).toBe(200);
  }
  const list = async (query = '') => {
    const res = await h.call('GET', `/conversations${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Page;
  };
  return { ...h, list };
}

const parties = (page: Page) => page.conversations.map((c) => c.otherAddress);

describe('GET /conversations', () => {
  it('pages newest first with totals, and says when more pages follow', async () => {
    const h = await seeded();
    const newestFirst = [...PARTIES].reverse();
    const all = await h.list();
    expect(parties(all)).toEqual(newestFirst);
    expect(all).toMatchObject({ totalCount: 5, totalPages: 1, hasMorePages: false });
    expect(all.conversations[0]).toMatchObject({ endpointId: 'ep_main_line', mostRecentMessage: { text: 'question 4', otherAddress: PARTIES[4] } });

    const pages = [0, 1, 2].map((page) => h.list(`?countPerPage=2&page=${page}`));
    const [first, second, third] = await Promise.all(pages);
    expect([parties(first!), parties(second!), parties(third!)]).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    expect(first).toMatchObject({ totalCount: 5, totalPages: 3, hasMorePages: true });
    expect(third).toMatchObject({ totalCount: 5, totalPages: 3, hasMorePages: false });
    expect(parties(await h.list('?countPerPage=2&all=true'))).toEqual(newestFirst);
    expect(parties(await h.list('?sortOrder=Ascend'))).toEqual(PARTIES);
  });

  it('sorts by otherAddress or endpointId, picks specificIds, and skips the totals with simplifiedPaging', async () => {
    const h = await seeded();
    const sorted = [...PARTIES].sort();
    expect(parties(await h.list('?sortField=otherAddress'))).toEqual(sorted);
    expect(parties(await h.list('?sortField=OtherAddress&sortOrder=Descend'))).toEqual([...sorted].reverse());
    expect((await h.list('?sortField=endpointId')).conversations).toHaveLength(5);
    const refused = await h.call('GET', '/conversations?sortField=body');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { responseStatus: { errors: { fieldName: string }[] } }).responseStatus.errors[0]!.fieldName).toBe('SortField');

    const all = await h.list();
    const picked = [all.conversations[3]!, all.conversations[1]!];
    const specific = await h.list(`?specificIds=${picked.map((c) => c.id).join(',')}`);
    expect(parties(specific)).toEqual([all.conversations[1]!.otherAddress, all.conversations[3]!.otherAddress]);
    expect(specific.totalCount).toBe(2);
    expect((await h.call('GET', '/conversations?specificIds=not-a-conversation')).status).toBe(400);

    const simple = await h.list('?simplifiedPaging=true&countPerPage=2');
    expect(simple.totalCount ?? 0).toBe(0);
    expect(simple.totalPages ?? 0).toBe(0);
    expect(simple.hasMorePages).toBe(true);
    expect((await h.list('?simplifiedPaging=true&countPerPage=2&page=9')).conversations).toEqual([]);
  });

  it('a chat member’s text is the most recent message of the chat’s conversation, not a conversation of its own', async () => {
    const h = await seeded();
    const [newest] = (await h.list()).conversations;
    const row = await h.store.db.selectFrom('sessions').select('id').where('from_address', '=', newest!.otherAddress).executeTakeFirstOrThrow();
    const supervisor = '+15035558888';
    expect((await h.call('POST', `/sessions/${row.id}/members`, { memberToAdd: supervisor })).status).toBe(200);
    await h.fake.settled();
    expect((await h.fake.receiveText(ACCOUNT_SID, SMS_URL, { from: supervisor, to: MAIN_LINE, body: 'on it' })).status).toBe(200);
    await h.fake.settled();
    const after = await h.list();
    expect(after.totalCount).toBe(5);
    expect(after.conversations[0]).toMatchObject({ otherAddress: newest!.otherAddress, mostRecentMessage: { text: 'on it', sender: supervisor } });
  });

  it('another tenant sees none of them, and naming this account is a 403', async () => {
    const h = await seeded();
    const as = (query: string) => fetch(`${h.url}/conversations${query}`, { headers: { cookie: h.otherCookie, accept: 'application/json' } });
    expect(await (await as('')).json()).toMatchObject({ conversations: [], totalCount: 0 });
    expect(await (await as(`?accountIds=${OTHER_ACCOUNT_ID}`)).json()).toMatchObject({ conversations: [] });
    expect((await as(`?accountIds=${ACCOUNT_ID}`)).status).toBe(403);
    // DataContract order (alphabetical, as .NET writes it), the totals beside Evo's `conversations`.
    const xml = await fetch(`${h.url}/conversations?countPerPage=1`, { headers: { cookie: h.cookie, accept: 'application/xml' } });
    expect(await xml.text()).toMatch(/<ListConversationsResponse [^>]*><Conversations><ConversationInfo>.*<\/ConversationInfo><\/Conversations><HasMorePages>true<\/HasMorePages><TotalCount>5<\/TotalCount><TotalPages>5<\/TotalPages><\/ListConversationsResponse>$/);
  });
});
