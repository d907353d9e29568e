/**
 * Every query parameter of every list DTO (each operation whose request derives from ListRequest,
 * read from the declared schemas) is either applied or refused: sent with a probe value, the list
 * answers differently from its baseline (applied), or answers 400 naming the parameter (refused).
 * A parameter with no probe here, or one answered like its baseline, fails the test: a list must
 * never ignore a filter it was given.
 *
 * ADDING A LIST OR A MEMBER: give it a probe in PROBES (a query whose answer differs from the
 * baseline's on the data seeded below), or refuse it in the operation.
 */
import { describe, expect, it } from 'vitest';
import { operations } from '../../src/app.js';
import { ListRequest } from '../../src/model/list-request.js';
import type { Dto } from '../../src/model/dto.js';
import { membersOf } from '../../src/model/members.js';
import { operationName } from '../../src/http/operation.js';
import { addAccount, adminCookie } from '../support/directory.js';
import { seedDirectoryTree } from '../support/directory-tree.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';
import { sessionWriter } from '../../src/events/session-writer.js';
import { conversationIdOf } from '../../src/messaging/messages-repository.js';
import { storeWhole } from '../support/sessions.js';

interface Probe {
  readonly query: string;
  /** What the answer must differ from (default: the list with no parameters). */
  readonly baseline?: string;
}

const golden = goldenSession();

/** Paging and sorting, the same for every list unless a list overrides one. */
const LIST_REQUEST: Record<string, Probe> = {
  page: { query: 'page=1&countPerPage=1', baseline: 'countPerPage=1' },
  all: { query: 'all=true&countPerPage=1', baseline: 'countPerPage=1' },
  countPerPage: { query: 'countPerPage=1' },
  // `{first}` is the id of the baseline's first item.
  specificIds: { query: 'specificIds={first}' },
  sortField: { query: 'sortField=id' },
  sortOrder: { query: 'sortOrder=Descend' },
  simplifiedPaging: { query: 'simplifiedPaging=true' },
};

const PROBES: Record<string, Record<string, Probe>> = {
  ListAccounts: { nameFilter: { query: 'nameFilter=acme' } },
  ListCustomers: {
    accountIds: { query: 'accountIds=acct_b' },
    nameFilter: { query: 'nameFilter=region' },
    parentCustomerIds: { query: 'parentCustomerIds=c_root' },
    shallowParent: { query: 'parentCustomerIds=c_root&shallowParent=true', baseline: 'parentCustomerIds=c_root' },
    tagIds: { query: 'tagIds=t1' },
  },
  ListEndpoints: {
    accountIds: { query: 'accountIds=acct_b' },
    customerIds: { query: 'customerIds=c_west' },
    referenceIds: { query: 'referenceIds=crm-1' },
    shallowParent: { query: 'customerIds=c_west&shallowParent=true', baseline: 'customerIds=c_west' },
    flowIds: { query: 'flowIds=f1' },
    flowState: { query: 'flowState=Active' },
    tagIds: { query: 'tagIds=t1' },
    nameFilter: { query: 'nameFilter=agent' },
    phoneNumberFilter: { query: 'phoneNumberFilter=0100' },
    type: { query: 'type=Team' },
    types: { query: 'types=User,Team' },
    userMode: { query: 'userMode=SipPhone' },
    dataFilters: { query: 'dataFilters=Region%3DWest' },
    sipUserName: { query: 'sipUserName=dana-sip' },
    flowParametersFilter: { query: 'flowParametersFilter=%7B%7D' },
  },
  ListUsers: {
    accountIds: { query: 'accountIds=acct_b' },
    emailFilter: { query: 'emailFilter=acme' },
    sortField: { query: 'sortField=lastName' },
  },
  ListMessages: {
    accountIds: { query: 'accountIds=acct_b' },
    customerIds: { query: 'customerIds=c_other' },
    endpointIds: { query: 'endpointIds=ep_other' },
    conversationIds: { query: `conversationIds=${conversationIdOf({ endpointId: 'ep_other', otherAddress: '+19995550000' })}` },
    afterDate: { query: 'afterDate=2026-10-15T00:00:00Z' },
    sortOrder: { query: 'sortOrder=Ascend' },
  },
  ListConversations: {
    accountIds: { query: 'accountIds=acct_b' },
    customerIds: { query: 'customerIds=c_other' },
    endpointIds: { query: 'endpointIds=ep_other' },
    afterDate: { query: 'afterDate=2026-10-15T00:00:00Z' },
    sortField: { query: 'sortField=otherAddress' },
    sortOrder: { query: 'sortOrder=Ascend' },
  },
  ListSessions: {
    accountIds: { query: 'accountIds=acct_b' },
    searchArchive: { query: 'searchArchive=true' },
    startDate: { query: 'startDate=2026-11-01' },
    endDate: { query: 'endDate=2026-10-31' },
    customerIds: { query: 'customerIds=cust_west' },
    endpointIds: { query: 'endpointIds=ep_main_line' },
    from: { query: 'from=999' },
    to: { query: 'to=888' },
    log: { query: 'log=nothing' },
    parentSessionId: { query: `parentSessionId=${golden.id}` },
    sortField: { query: 'sortField=fromAddress' },
    sortOrder: { query: 'sortOrder=Ascend' },
  },
};

const isList = (dto: Dto): boolean => dto === ListRequest || (dto.meta.base !== undefined && isList(dto.meta.base));

/** The directory tree, a third account, people with last names, and sessions each filter tells apart. */
async function seeded() {
  const server = await startTestServer();
  const { store } = server;
  await seedDirectoryTree(store);
  await addAccount(store, 'acct_0', 'Zulu Corp');
  for (const [email, last] of [['dana@acme.test', 'Zed'], ['eli@bravo.test', 'Adams'], ['both@x.test', 'Moss']]) {
    await store.db.updateTable('users').set({ last_name: last }).where('email', '=', email!).execute();
  }
  const other = { ...golden, customerId: 'c_other', endpointId: 'ep_other', fromAddress: '+19995550000', toAddress: '+18885550000' };
  await storeWhole(store, golden);
  await storeWhole(store, { ...other, id: 'probe_older', dateCreated: '2026-10-01T10:00:00Z', log: [{ date: '2026-10-01T10:00:00Z', message: 'nothing to see' }] });
  await storeWhole(store, { ...other, id: 'probe_other_account', accountId: 'acct_b' });
  await storeWhole(store, { ...other, id: 'probe_child' }, { parentSessionId: golden.id });
  await storeWhole(store, { ...other, id: 'probe_archived' });
  await store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', 'probe_archived').execute();
  // A text in three of those sessions, so the message list has something each filter tells apart.
  const ingest = sessionWriter(store);
  const text = (accountId: string, sessionId: string, at: string, from: string, n: number) => ({
    accountId,
    sessionId,
    dedupeKey: `twilio:message:SMprobe${n}`,
    source: 'twilio',
    occurredAt: at,
    sequence: null,
    actor: null,
    event: { type: 'MessageReceived' as const, messageSid: `SMprobe${n}`, from, to: '+15035550100', body: `probe ${n}`, status: 'received' },
  });
  await ingest.write([
    text(golden.accountId!, golden.id!, golden.dateCreated!, golden.fromAddress!, 1),
    text(golden.accountId!, 'probe_older', '2026-10-01T10:00:00Z', other.fromAddress, 2),
    text('acct_b', 'probe_other_account', golden.dateCreated!, other.fromAddress, 3),
  ]);
  const cookie = await adminCookie(store);
  const get = async (path: string) => {
    const res = await fetch(server.url + path, { headers: { cookie } });
    return { status: res.status, text: await res.text() };
  };
  return { store, get };
}

describe('list DTOs', () => {
  it('apply or refuse every query parameter they declare', async () => {
    const { store, get } = await seeded();
    const lists = operations(store).filter((op) => isList(op.request));
    expect(lists.map(operationName).sort()).toEqual(Object.keys(PROBES).sort());
    const failures: string[] = [];
    for (const op of lists) {
      const name = operationName(op);
      const path = op.routes.find((r) => r.verbs.includes('GET'))!.path;
      const probes = { ...LIST_REQUEST, ...PROBES[name] };
      for (const member of membersOf(op.request)) {
        const probe = probes[member.key];
        if (!probe) {
          failures.push(`${name}.${member.key}: no probe; add one to PROBES`);
          continue;
        }
        const baseline = await get(`${path}?${probe.baseline ?? ''}`);
        // Evo's ListConversations answers its page as `conversations`, every other list as `items`.
        const parsed = JSON.parse(baseline.text) as { items?: { id: string }[]; conversations?: { id: string }[] };
        const first = (parsed.items ?? parsed.conversations ?? [])[0]?.id ?? '';
        const answer = await get(`${path}?${probe.query.replace('{first}', encodeURIComponent(first))}`);
        const refused = answer.status === 400 && JSON.parse(answer.text).responseStatus.errors.some((e: { fieldName: string }) => e.fieldName === member.name);
        const applied = answer.status === 200 && baseline.status === 200 && answer.text !== baseline.text;
        if (!refused && !applied) failures.push(`${name}.${member.key}: neither applied nor refused (${answer.status} ${answer.text.slice(0, 160)})`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
