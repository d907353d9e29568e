import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { readFixture } from '../support/fixtures.js';
import { startSignedInServer, type SignedInServer as TestServer } from '../support/server.js';
import { session, type SessionSpec, storeWhole } from '../support/sessions.js';

interface Page {
  items: { id: string; accountId: string; log?: { message: string }[] }[];
  totalCount?: number;
  totalPages?: number;
  hasMorePages: boolean;
}

async function server(specs: SessionSpec[], parents: Record<string, string> = {}): Promise<TestServer> {
  const started = await startSignedInServer();
  for (const spec of specs) await storeWhole(started.store, session(spec), { parentSessionId: parents[spec.id] });
  return started;
}

async function list(srv: TestServer, query: string): Promise<Page> {
  const res = await srv.fetch(`${srv.url}/sessions?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

const ids = (page: Page) => page.items.map((i) => i.id);

/** 30 sessions in acct_a, one a day back from 2026-11-30, s00 newest. */
const thirty: SessionSpec[] = Array.from({ length: 30 }, (_, i) => ({
  id: `s${String(i).padStart(2, '0')}`,
  at: new Date(Date.UTC(2026, 10, 30 - i, 12)).toISOString(),
}));

describe('GET /sessions: paging', () => {
  it('answers page 0 newest first, 25 per page, with totals and the log in every item', async () => {
    const srv = await server(thirty);
    const page = await list(srv, '');
    expect(page.items).toHaveLength(25);
    expect(page.items[0]!.id).toBe('s00');
    expect(page.items[0]!.log?.map((l) => l.message)).toEqual(['Call received', 'Answered by Dana']);
    expect(page).toMatchObject({ totalCount: 30, totalPages: 2, hasMorePages: true });
  });

  it('gives the last page its remainder, then empty pages past the end', async () => {
    const srv = await server(thirty);
    const last = await list(srv, 'page=1');
    expect(ids(last)).toEqual(['s25', 's26', 's27', 's28', 's29']);
    expect(last).toMatchObject({ totalCount: 30, totalPages: 2, hasMorePages: false });
    const past = await list(srv, 'page=7');
    expect(past).toEqual({ items: [], totalCount: 30, totalPages: 2, hasMorePages: false });
    const huge = await list(srv, 'page=999999999999999&countPerPage=1000');
    expect(huge).toEqual({ items: [], totalCount: 30, totalPages: 1, hasMorePages: false });
  });

  it('pages exactly: countPerPage 7 over 30 gives 5 pages covering every session once', async () => {
    const srv = await server(thirty);
    const seen: string[] = [];
    for (let page = 0; page < 5; page++) {
      const p = await list(srv, `page=${page}&countPerPage=7`);
      expect(p.totalPages).toBe(5);
      expect(p.hasMorePages).toBe(page < 4);
      seen.push(...ids(p));
    }
    expect(seen).toEqual(thirty.map((s) => s.id));
  });

  // The totals are .NET ints: uncounted, they are 0, as ServiceStack writes an unset int.
  it('simplifiedPaging counts nothing (totals 0) and gives items: [] past the end', async () => {
    const srv = await server(thirty);
    const first = await list(srv, 'simplifiedPaging=true&countPerPage=10&page=2');
    expect(first).toEqual({ items: expect.any(Array), totalCount: 0, totalPages: 0, hasMorePages: false });
    expect(ids(first)[0]).toBe('s20');
    expect((await list(srv, 'simplifiedPaging=true&countPerPage=10&page=1')).hasMorePages).toBe(true);
    expect(await list(srv, 'simplifiedPaging=true&page=40')).toEqual({ items: [], totalCount: 0, totalPages: 0, hasMorePages: false });
  });

  it('all=true returns every match on one page', async () => {
    const srv = await server(thirty);
    const all = await list(srv, 'all=true');
    expect(all.items).toHaveLength(30);
    expect(all).toMatchObject({ totalCount: 30, totalPages: 1, hasMorePages: false });
  });

  it('specificIds picks sessions by id', async () => {
    const srv = await server(thirty);
    expect(ids(await list(srv, 'specificIds=s03,s01,nope'))).toEqual(['s01', 's03']);
  });

  it.each([
    ['countPerPage=0', 'CountPerPage'],
    ['countPerPage=1001', 'CountPerPage'],
    ['page=-1', 'Page'],
    ['sortField=document', 'SortField'],
    ['sortField=dateCreated;drop', 'SortField'],
    ['startDate=2026-13-01', 'StartDate'],
    ['startDate=yesterday', 'StartDate'],
    ['endDate=2026-02-30', 'EndDate'],
    ['startDate=2026-11-20&endDate=2026-11-19', 'EndDate'],
  ])('%s is a 400 naming %s', async (query, field) => {
    const srv = await server(thirty);
    const res = await srv.fetch(`${srv.url}/sessions?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { responseStatus: { errorCode: string; errors: { fieldName: string }[] } };
    expect(body.responseStatus.errorCode).toBe('ValidationException');
    expect(body.responseStatus.errors[0]!.fieldName).toBe(field);
  });

  it('binds a page number that is not a number as a 400 SerializationException', async () => {
    const srv = await server(thirty);
    const res = await srv.fetch(`${srv.url}/sessions?page=two`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { responseStatus: { errorCode: string } }).responseStatus.errorCode).toBe('SerializationException');
  });
});

describe('GET /sessions: sorting', () => {
  const people: SessionSpec[] = [
    { id: 'a', from: '+13', at: '2026-11-20T10:00:00Z' },
    { id: 'b', from: '+11', at: '2026-11-21T10:00:00Z' },
    { id: 'c', from: '+12', at: '2026-11-19T10:00:00Z' },
  ];

  it.each([
    ['', ['b', 'a', 'c']],
    ['sortOrder=Ascend', ['c', 'a', 'b']],
    ['sortField=fromAddress', ['b', 'c', 'a']],
    ['sortField=FromAddress&sortOrder=Descend', ['a', 'c', 'b']],
    ['sortField=id&sortOrder=Descend', ['c', 'b', 'a']],
  ])('%s orders %j', async (query, expected) => {
    const srv = await server(people);
    expect(ids(await list(srv, query))).toEqual(expected);
  });
});

describe('GET /sessions: filters', () => {
  const mixed: SessionSpec[] = [
    { id: 'm1', accountId: 'acct_a', at: '2026-11-20T00:00:00Z', from: '+15035551234', to: '+18005550100', customerId: 'cust_west', endpointId: 'ep_1', log: ['Dialing queue', 'Gateway TIMEOUT after 30s'] },
    { id: 'm2', accountId: 'acct_a', at: '2026-11-20T23:59:59Z', from: '+442071234567', to: '+18005550199', customerId: 'cust_portland', endpointId: 'ep_2', log: ['Voicemail left'] },
    { id: 'm3', accountId: 'acct_a', at: '2026-11-21T00:00:00Z', from: '+15035559999', to: '+18005550100', customerId: 'cust_east', endpointId: 'ep_1', log: ['Transferred to billing'] },
    { id: 'm4', accountId: 'acct_b', at: '2026-11-20T12:00:00Z', from: '+15035551234', to: '+18005550100', customerId: 'cust_b', endpointId: 'ep_b', log: ['timeout on the B side'] },
    { id: 'm5', accountId: 'acct_a', at: '2026-11-19T23:59:59Z', from: 'client:dana', to: 'sip:front@pbx', customerId: 'cust_root', endpointId: 'ep_3', log: ['Call 50% done_ok'] },
  ];

  async function withTree() {
    const srv = await server(mixed, { m3: 'm1', m2: 'm1' });
    const now = '2026-11-01T00:00:00.000Z';
    const customer = (account_id: string, id: string, parent: string | null) => ({
      account_id, id, parent_customer_id: parent, name: id, date_created: now, date_last_modified: now,
    });
    await srv.store.db.insertInto('customers').values([
      customer('acct_a', 'cust_root', null),
      customer('acct_a', 'cust_west', 'cust_root'),
      customer('acct_a', 'cust_portland', 'cust_west'),
      customer('acct_a', 'cust_east', 'cust_root'),
      customer('acct_b', 'cust_b', null),
      // Same id in another account: its subtree must not leak into acct_a's.
      customer('acct_b', 'cust_b_child', 'cust_west'),
    ]).execute();
    return srv;
  }

  it.each([
    ['accountIds=acct_b', ['m4']],
    ['accountIds=acct_a,acct_b', ['m3', 'm2', 'm4', 'm1', 'm5']],
    ['startDate=2026-11-20&endDate=2026-11-20', ['m2', 'm4', 'm1']],
    ['startDate=2026-11-21', ['m3']],
    ['endDate=2026-11-19', ['m5']],
    ['from=5551234', ['m4', 'm1']],
    ['from=%2B44', ['m2']],
    ['from=DANA', ['m5']],
    ['from=50', ['m3', 'm4', 'm1']],
    ['to=0199', ['m2']],
    ['to=PBX', ['m5']],
    ['log=timeout', ['m4', 'm1']],
    ['log=TimeOut after', ['m1']],
    ['log=50%25 done_', ['m5']],
    ['log=zzz', []],
    ['endpointIds=ep_1', ['m3', 'm1']],
    ['endpointIds=ep_2,ep_3', ['m2', 'm5']],
    ['customerIds=cust_west', ['m2', 'm1']],
    ['customerIds=cust_root', ['m3', 'm2', 'm1', 'm5']],
    ['customerIds=cust_east,cust_portland', ['m3', 'm2']],
    ['customerIds=cust_unknown', []],
    ['parentSessionId=m1', ['m3', 'm2']],
    ['accountIds=acct_a&from=5551234&log=timeout&startDate=2026-11-20&endDate=2026-11-20&customerIds=cust_root&endpointIds=ep_1', ['m1']],
    ['accountIds=acct_b&customerIds=cust_west', []],
    ['to=0100&log=billing&parentSessionId=m1', ['m3']],
  ])('%s → %j', async (query, expected) => {
    const srv = await withTree();
    const page = await list(srv, query);
    expect(ids(page)).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it('a filter on the log also matches text that only an archived session holds when searchArchive=true', async () => {
    const srv = await withTree();
    await srv.store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', 'm1').execute();
    expect(ids(await list(srv, 'log=timeout'))).toEqual(['m4']);
    expect(ids(await list(srv, 'log=timeout&searchArchive=true'))).toEqual(['m4', 'm1']);
  });
});

describe('GET /sessions in every format', () => {
  it('writes XML as .NET names and writes a ListResponse', async () => {
    const srv = await startSignedInServer();
    const golden = JSON.parse(readFixture('list-golden.json')) as { items: SessionInfo[] };
    await storeWhole(srv.store, golden.items[0]!);
    const res = await srv.fetch(`${srv.url}/sessions.xml?countPerPage=1`);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const xml = await res.text();
    const expected = readFixture('list-golden.xml')
      .replace('<HasMorePages>true</HasMorePages>', '<HasMorePages>false</HasMorePages>')
      .replace('<TotalCount>26</TotalCount>', '<TotalCount>1</TotalCount>')
      .replace('<TotalPages>26</TotalPages>', '<TotalPages>1</TotalPages>');
    expect(xml).toBe(expected);
  });

  it('writes JSON whose items are the stored documents', async () => {
    const srv = await server(thirty.slice(0, 2));
    const res = await srv.fetch(`${srv.url}/sessions`);
    const text = await res.text();
    expect(text.startsWith('{"items":[{"id":"s00",')).toBe(true);
    expect(text).toContain(`[${(await srv.sessions.findById('s00'))!.json},`);
    expect(JSON.parse(text)).toMatchObject({ totalCount: 2, totalPages: 1, hasMorePages: false });
  });

  it('exports CSV with one row per session', async () => {
    const srv = await server(thirty);
    const res = await srv.fetch(`${srv.url}/sessions?format=csv&all=true`);
    expect(res.headers.get('content-type')).toBe('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment;filename="ListSessions.csv"');
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]!.startsWith('Id,DateCreated,')).toBe(true);
    expect(lines).toHaveLength(32);
    expect(lines[1]!.startsWith('s00,')).toBe(true);
  });

  it('answers on the predefined routes too', async () => {
    const srv = await server(thirty);
    const res = await srv.fetch(`${srv.url}/api/ListSessions?countPerPage=2&page=1`);
    expect(((await res.json()) as Page).items.map((i) => i.id)).toEqual(['s02', 's03']);
  });
});
