import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR } from '../../src/generate/generate-sessions.js';
import { loadGenerated } from '../../src/generate/load-generated.js';
import { sessionRow } from '../../src/sessions/session-row.js';
import { startSignedInServer, type SignedInServer } from '../support/server.js';
import { session, storeWhole } from '../support/sessions.js';

async function search(srv: SignedInServer, query: string): Promise<string[]> {
  const res = await srv.fetch(`${srv.url}/sessions?all=true&searchArchive=true&sortField=id&${query}`);
  return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

describe('the search index follows every write to sessions', () => {
  it('indexes inserts, re-indexes updated logs and addresses, and forgets deleted sessions', async () => {
    const srv = await startSignedInServer([session({ id: 'w1', log: ['Caller asked about invoice 7781'], from: '+15035550123' })]);
    expect(await search(srv, 'log=invoice 7781')).toEqual(['w1']);

    const changed = session({ id: 'w1', log: ['Caller asked about refund R-2231'], from: '+442071110000' });
    await srv.store.db.updateTable('sessions').set({ ...sessionRow(changed, 2) }).where('id', '=', 'w1').execute();
    expect(await search(srv, 'log=invoice 7781')).toEqual([]);
    expect(await search(srv, 'log=refund r-2231')).toEqual(['w1']);
    expect(await search(srv, 'from=0123')).toEqual([]);
    expect(await search(srv, 'from=2071110')).toEqual(['w1']);

    await srv.store.db.deleteFrom('sessions').where('id', '=', 'w1').execute();
    expect(await search(srv, 'log=refund')).toEqual([]);
  });

  it('indexes a bulk load at its end and keeps indexing ordinary writes afterwards', async () => {
    const srv = await startSignedInServer([session({ id: 'before', log: ['gateway timeout before the load'] })]);
    await loadGenerated(srv.store, { ...DEFAULT_GENERATOR, sessions: 300, accounts: 2, endAt: new Date('2026-11-27T00:00:00Z') });
    await storeWhole(srv.store, session({ id: 'after', log: ['gateway timeout after the load'] }));
    const generated = await srv.store.db.selectFrom('sessions').select(['id', 'from_address']).where('account_id', '=', 'acct_0002').limit(1).executeTakeFirstOrThrow();
    expect(await search(srv, `accountIds=acct_0002&from=${encodeURIComponent(generated.from_address!)}`)).toContain(generated.id);
    const timeouts = await search(srv, 'log=gateway timeout');
    expect(timeouts).toEqual(expect.arrayContaining(['before', 'after']));
    const completed = await srv.fetch(`${srv.url}/sessions?accountIds=acct_0001&log=call completed&searchArchive=true`);
    expect(((await completed.json()) as { totalCount: number }).totalCount).toBeGreaterThan(100);
  });
});
