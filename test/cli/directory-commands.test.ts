import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AccountsRepository } from '../../src/directory/accounts-repository.js';
import { CustomersRepository } from '../../src/directory/customers-repository.js';
import { EndpointsRepository } from '../../src/directory/endpoints-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';
import { runCli } from '../support/cli.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const database = freshDatabaseUrl;

const run = runCli;

describe('switchboard user / account / apikey', () => {
  it('adds an account and a manager who can then sign in, and an API key that works until revoked', async () => {
    const db = await database();
    const golden = goldenSession();
    expect((await run(db, 'account', 'add', 'Acme', '--id', golden.accountId!)).out).toBe(`Added account ${golden.accountId} (Acme)`);
    const added = await run(db, 'user', 'add', 'pat@acme.test', '--role', 'manager,User', '--account', golden.accountId!);
    expect(added.code).toBe(0);
    const password = /Password: (\S+)/.exec(added.out)![1]!;
    expect((await run(db, 'user', 'list')).out).toMatch(/pat@acme\.test {2}User,Manager {2}acct_acme/);
    const key = await run(db, 'apikey', 'create', '--account', golden.accountId!, '--role', 'Manager');
    const [, keyId, secret] = /API key (\S+)[\s\S]*Key: (\S+)/.exec(key.out)!;

    const store = await openStore(db);
    onTestFinished(() => store.close());
    const { url } = await startTestServer([golden], { store, auth: { timings: { cacheTtlMs: 0 } } });
    const basic = 'Basic ' + Buffer.from(`pat@acme.test:${password}`).toString('base64');
    expect((await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: basic } })).status).toBe(200);
    expect((await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);

    expect((await run(db, 'apikey', 'revoke', keyId!)).code).toBe(0);
    expect((await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    expect((await run(db, 'user', 'passwd', 'pat@acme.test', '--password', 'a brand new one')).code).toBe(0);
    expect((await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: basic } })).status).toBe(401);
  });

  it('explains mistakes with exit code 2', async () => {
    const db = await database();
    expect(await run(db, 'user', 'add')).toMatchObject({ code: 2, err: 'user: user add needs an EMAIL' });
    expect((await run(db, 'user', 'add', 'a@b.test', '--role', 'Boss')).err).toMatch(/unknown role\(s\): Boss/);
    expect((await run(db, 'user', 'add', 'a@b.test', '--account', 'nope')).err).toBe("user: account 'nope' does not exist");
    expect((await run(db, 'user', 'add', 'a@b.test', '--password', 'short')).err).toMatch(/at least 8 characters/);
    expect((await run(db, 'apikey', 'create')).code).toBe(2);
    expect((await run(db, 'apikey', 'revoke', 'nope')).err).toBe("apikey: no live API key with id 'nope'");
  });

  it('import creates the account, customers and endpoint its sessions point to', async () => {
    const db = await database();
    const golden = goldenSession();
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'import.json');
    writeFileSync(file, JSON.stringify({ items: [golden] }));
    expect((await run(db, 'import', file)).code).toBe(0);
    const store = await openStore(db);
    onTestFinished(() => store.close());
    expect(await new AccountsRepository(store.db).findById(golden.accountId!)).toMatchObject({ name: golden.accountName });
    const customer = (await new CustomersRepository(store.db).findById(golden.customerId!))!;
    expect(await new CustomersRepository(store.db).breadcrumbOf(customer)).toEqual(golden.customerBreadcrumb);
    expect(await new EndpointsRepository(store.db).findById(golden.endpointId!)).toMatchObject({ accountId: golden.accountId, displayName: golden.endpointName });
  });
});
