import { describe, expect, it } from 'vitest';
import { LifecyclePolicies } from '../../src/lifecycle/lifecycle-policies.js';
import { openStore } from '../../src/store/open-store.js';
import { session, storeWhole } from '../support/sessions.js';
import { runCli } from '../support/cli.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const run = runCli;

describe('switchboard lifecycle', () => {
  it('shows and sets an account’s live window, retention and legal hold, holds and releases a session, audited as cli', async () => {
    const db = await freshDatabaseUrl();
    expect((await run(db, 'account', 'add', 'Alpha', '--id', 'acct_a')).code).toBe(0);
    const store = await openStore(db);
    try {
      await storeWhole(store, session({ id: 'a_case' }));
    } finally {
      await store.close();
    }

    expect((await run(db, 'lifecycle', 'show', 'acct_a')).out).toBe('acct_a: live 15 days, retention forever, legal hold off');
    expect(await run(db, 'lifecycle', 'set', 'acct_a', '--retention-days', '365', '--live-days', '30', '--legal-hold', 'on')).toEqual({
      code: 0,
      out: 'acct_a: live 30 days, retention 365 days, legal hold on',
      err: '',
    });
    expect((await run(db, 'lifecycle', 'hold', 'a_case', '--reason', 'Case 42')).out).toMatch(/^Session a_case \(acct_a\) is held since \S+ by cli: Case 42$/);
    expect((await run(db, 'lifecycle', 'release', 'a_case')).out).toBe('Session a_case (acct_a) is no longer held');
    expect((await run(db, 'lifecycle', 'release', 'a_case')).out).toBe('Session a_case (acct_a) was not held');
    expect((await run(db, 'lifecycle', 'set', 'acct_a', '--retention-days', '0')).out).toBe('acct_a: live 30 days, retention forever, legal hold on');

    const shown = (await run(db, 'lifecycle', 'show', 'acct_a')).out.split('\n');
    expect(shown[0]).toBe('acct_a: live 30 days, retention forever, legal hold on');
    expect(shown.slice(1).map((line) => line.replace(/^ {2}\S+ {2}/, ''))).toEqual([
      'cli  retentionDays 365 → forever',
      'cli  session a_case: legal hold released',
      'cli  session a_case: legal hold placed: Case 42',
      'cli  liveDays 15 → 30; retentionDays forever → 365; legalHold false → true',
    ]);

    const again = await openStore(db);
    try {
      expect(await new LifecyclePolicies(again.db, () => new Date()).policyOf('acct_a')).toEqual({ liveDays: 30, legalHold: true });
    } finally {
      await again.close();
    }
  });

  it.each([
    [['lifecycle', 'show'], /needs an ACCOUNT/],
    [['lifecycle', 'show', 'acct_nope'], /account 'acct_nope' does not exist/],
    [['lifecycle', 'set', 'acct_a'], /needs --live-days, --retention-days or --legal-hold/],
    [['lifecycle', 'set', 'acct_a', '--live-days', '2.5'], /--live-days takes a whole number of days/],
    [['lifecycle', 'set', 'acct_a', '--legal-hold', 'yes'], /--legal-hold takes on or off/],
    [['lifecycle', 'hold', 'nope'], /session 'nope' does not exist/],
    [['lifecycle', 'purge', 'acct_a'], /unknown command 'lifecycle purge'/],
  ])('%j is a usage error that changes nothing', async (argv, message) => {
    const db = await freshDatabaseUrl();
    expect((await run(db, 'account', 'add', 'Alpha', '--id', 'acct_a')).code).toBe(0);
    const result = await run(db, ...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect((await run(db, 'lifecycle', 'show', 'acct_a')).out).toBe('acct_a: live 15 days, retention forever, legal hold off');
  });
});
