import { JsonServiceClient } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import { EndpointsRepository } from '../../src/directory/endpoints-repository.js';
import {
  BuyPhoneNumber,
  GetEndpoint,
  NewAssistantEndpoint,
  NewEmailEndpoint,
  NewSipTrunkEndpoint,
  NewTeamEndpoint,
  NewUserEndpoint,
  PatchAccount,
  PatchCustomer,
  PatchEndpoint,
  type EndpointInfo,
} from '../support/client-dtos.js';
import { addAccount, addUser } from '../support/directory.js';
import { seedDirectoryTree } from '../support/directory-tree.js';
import { startTestServer } from '../support/server.js';

/** The directory tree and a JsonServiceClient signed in (Basic) as a Manager of acct_a. */
async function managerClient() {
  const server = await startTestServer();
  await seedDirectoryTree(server.store);
  await addUser(server.store, 'boss@acme.test', ['Manager'], ['acct_a'], 'correct horse');
  const client = new JsonServiceClient(server.url);
  client.setCredentials('boss@acme.test', 'correct horse');
  return { ...server, client };
}

describe("Evo Voice's typed endpoint routes, through @servicestack/client", () => {
  it.each([
    ['/endpoints/users', NewUserEndpoint, { customerId: 'c_west', emailAddress: 'nia@acme.test', firstName: 'Nia', lastName: 'Okafor', userMode: 'SipPhone', sipUserName: 'nia-sip' },
      { type: 'User', displayName: 'Nia Okafor', email: 'nia@acme.test', userMode: 'SipPhone', sipUserName: 'nia-sip', customerName: 'West Region' }],
    ['/endpoints/team', NewTeamEndpoint, { name: 'Billing Team', referenceId: 'crm-77' }, { type: 'Team', displayName: 'Billing Team', referenceId: 'crm-77' }],
    ['/endpoints/email', NewEmailEndpoint, { emailAddress: 'help@acme.test' }, { type: 'Email', displayName: 'help@acme.test', email: 'help@acme.test' }],
    ['/endpoints/sip-trunk', NewSipTrunkEndpoint, { name: 'PBX trunk', sipUserName: 'pbx' }, { type: 'SipTrunk', displayName: 'PBX trunk', sipUserName: 'pbx' }],
    ['/endpoints/assistant', NewAssistantEndpoint, { name: 'Night bot' }, { type: 'AssistantBot', displayName: 'Night bot' }],
    ['/endpoints/phone-numbers', BuyPhoneNumber, { number: '+15035550142', isVirtualPhoneNumber: true }, { type: 'PhoneNumber', displayName: '+15035550142', phoneNumber: '+15035550142' }],
    ['/endpoints/phone-numbers', BuyPhoneNumber, { number: '+15035550143', isFaxNumber: true }, { type: 'Fax', phoneNumber: '+15035550143' }],
  ] as const)('POST %s creates the endpoint its DTO describes', async (route, Dto, fields, expected) => {
    const { client } = await managerClient();
    const created = await client.postToUrl(route, new Dto({ accountId: 'acct_a', ...fields })) as EndpointInfo;
    expect(created).toMatchObject({ accountId: 'acct_a', accountName: 'Acme Holdings', ...expected });
    expect(await client.get(new GetEndpoint({ endpointId: created.id }))).toEqual(created);
    // The same DTO by name on the predefined route.
    const again = await client.post(new Dto({ accountId: 'acct_a', ...fields })) as EndpointInfo;
    expect(again).toMatchObject(expected);
    expect(again.id).not.toBe(created.id);
  });

  it('validates as the plain route does: required members, E.164, the account, the customer', async () => {
    const { client } = await managerClient();
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: { responseStatus?: unknown; status?: number }) => e.responseStatus ?? e);
    expect(await failure(client.postToUrl('/endpoints/team', new NewTeamEndpoint({ accountId: 'acct_a' })))).toMatchObject({ errors: [{ fieldName: 'Name', errorCode: 'NotEmpty' }] });
    expect(await failure(client.postToUrl('/endpoints/users', new NewUserEndpoint({ accountId: 'acct_a', firstName: 'x' })))).toMatchObject({ errors: [{ fieldName: 'EmailAddress' }] });
    expect(await failure(client.postToUrl('/endpoints/phone-numbers', new BuyPhoneNumber({ accountId: 'acct_a', number: '503-555' })))).toMatchObject({ errors: [{ fieldName: 'PhoneNumber' }] });
    expect(await failure(client.postToUrl('/endpoints/phone-numbers', new BuyPhoneNumber({ accountId: 'acct_a', number: '+15035550144', tagIds: ['t1'] })))).toMatchObject({
      errors: [{ fieldName: 'TagIds', errorCode: 'NotSupported' }],
    });
    expect(await failure(client.postToUrl('/endpoints/team', new NewTeamEndpoint({ accountId: 'acct_b', name: 'Theirs' })))).toMatchObject({ errorCode: 'Forbidden' });
    expect(await failure(client.postToUrl('/endpoints/team', new NewTeamEndpoint({ accountId: 'acct_a', name: 'T', customerId: 'c_b' })))).toMatchObject({ errorCode: 'NotFound' });
  });
});

describe('literal sub-routes of /endpoints are never endpoint ids', () => {
  const LITERALS = ['users', 'team', 'email', 'sip-trunk', 'assistant', 'phone-numbers', 'duplicates'];

  it.each(LITERALS)('GET, PATCH and DELETE /endpoints/%s → 405, even with an endpoint of that id', async (segment) => {
    const { url, store } = await managerClient();
    await new EndpointsRepository(store.db).create({ id: segment, accountId: 'acct_a', type: 'Team', displayName: `Team ${segment}` }, new Date());
    const authorization = 'Basic ' + Buffer.from('boss@acme.test:correct horse').toString('base64');
    for (const verb of ['GET', 'PATCH', 'DELETE']) {
      const res = await fetch(`${url}/endpoints/${segment}`, {
        method: verb,
        headers: { authorization, ...(verb === 'PATCH' ? { 'content-type': 'application/json' } : {}) },
        body: verb === 'PATCH' ? JSON.stringify({ displayName: 'renamed' }) : undefined,
      });
      expect(res.status, verb).toBe(405);
      expect(await res.json()).toMatchObject({ responseStatus: { errorCode: 'MethodNotAllowed' } });
    }
    // Still there, unchanged: it is reachable by id on the predefined route.
    const kept = await fetch(`${url}/api/GetEndpoint?endpointId=${segment}`, { headers: { authorization } }).then((r) => r.json());
    expect(kept.displayName).toBe(`Team ${segment}`);
  });

  it('leaves the operations themselves alone', async () => {
    const { url } = await managerClient();
    const authorization = 'Basic ' + Buffer.from('boss@acme.test:correct horse').toString('base64');
    expect((await fetch(`${url}/endpoints/ep_4`, { headers: { authorization } })).status).toBe(200);
    expect((await fetch(`${url}/endpoints`, { headers: { authorization } })).status).toBe(200);
  });
});

describe('Patch operations apply every member Switchboard stores', () => {
  it('PatchEndpoint: customer, reference id, name, number, mode, SIP user name, identity, email, avatar; empty clears', async () => {
    const { client } = await managerClient();
    const patch = {
      customerId: 'c_east',
      referenceId: 'crm-9',
      displayName: 'Main Line East',
      phoneNumber: '+15035550101',
      userMode: 'Flow',
      sipUserName: 'main-sip',
      identity: 'client:main',
      email: 'main@acme.test',
      avatarUrl: 'https://img.test/main.png',
    };
    const patched = await client.patch(new PatchEndpoint({ endpointId: 'ep_5', ...patch })) as EndpointInfo;
    expect(patched).toMatchObject({ ...patch, customerName: 'East Region', customerBreadcrumb: [{ id: 'c_root', name: 'Acme Root' }, { id: 'c_east', name: 'East Region' }] });
    expect(await client.get(new GetEndpoint({ endpointId: 'ep_5' }))).toEqual(patched);
    const cleared = await client.patch(new PatchEndpoint({ endpointId: 'ep_5', referenceId: '', customerId: '' })) as EndpointInfo;
    expect(cleared.referenceId).toBeUndefined();
    expect(cleared.customerBreadcrumb).toBeUndefined();
    expect(cleared.displayName).toBe('Main Line East');
  });

  it('PatchCustomer: name, parent, reference id', async () => {
    const { client } = await managerClient();
    const patched = await client.patch(new PatchCustomer({ customerId: 'c_west_kid', name: 'East Kids', parentCustomerId: 'c_east', referenceId: 'crm-kids' }));
    expect(patched).toMatchObject({
      name: 'East Kids',
      parentCustomerId: 'c_east',
      referenceId: 'crm-kids',
      breadcrumb: [{ id: 'c_root', name: 'Acme Root' }, { id: 'c_east', name: 'East Region' }, { id: 'c_west_kid', name: 'East Kids' }],
    });
  });

  it('PatchAccount: name, parent (ancestorIds follow), Twilio account SID', async () => {
    const { client, store } = await managerClient();
    await addAccount(store, 'acct_top', 'Top Holdings');
    await addUser(store, 'root@switchboard.test', ['SystemAdministrator'], [], 'correct horse');
    client.setCredentials('root@switchboard.test', 'correct horse');
    await client.patch(new PatchAccount({ accountId: 'acct_b', parentAccountId: 'acct_top' }));
    const patched = await client.patch(new PatchAccount({ accountId: 'acct_a', name: 'Acme Group', parentAccountId: 'acct_b', twilioAccountSid: 'AC42' }));
    expect(patched).toEqual(expect.objectContaining({ name: 'Acme Group', parentAccountId: 'acct_b', twilioAccountSid: 'AC42', ancestorIds: ['acct_top', 'acct_b'] }));
  });
});

describe('Info types in XML', () => {
  /** The element names directly below the root, in document order. */
  const childrenOf = (xml: string) => {
    const names: string[] = [];
    let depth = 0;
    for (const [, close, name, selfClosing] of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
      if (close) depth--;
      else {
        if (depth === 1) names.push(name!);
        if (!selfClosing) depth++;
      }
    }
    return names;
  };
  const ENTITY = ['CreatedBy', 'DateCreated', 'DateLastModified', 'Id', 'LastModifiedBy'];

  it.each([
    ['/endpoints/ep_4.xml', 'EndpointInfo', ['AccountId', 'AccountName', 'AvatarUrl', 'CustomerBreadcrumb', 'CustomerId', 'CustomerName', 'DisplayName', 'Email', 'Identity', 'PhoneNumber', 'ReferenceId', 'SipUserName', 'Type', 'UserMode']],
    ['/customers/c_root.xml', 'CustomerInfo', ['AccountId', 'AccountName', 'Breadcrumb', 'Name', 'ParentCustomerId', 'ReferenceId']],
    ['/accounts/acct_a.xml', 'AccountInfo', ['AncestorIds', 'Name', 'ParentAccountId', 'TwilioAccountSid']],
  ])('%s writes Evo members after EntityInfo, in DataContract (ordinal) order', async (path, root, own) => {
    const { url } = await managerClient();
    const authorization = 'Basic ' + Buffer.from('boss@acme.test:correct horse').toString('base64');
    const xml = await fetch(url + path, { headers: { authorization } }).then((r) => r.text());
    expect(xml).toMatch(new RegExp(`^<\\?xml[^>]*\\?><${root} [^>]*xmlns="http://schemas.datacontract.org/2004/07/Voice.Api.(Endpoints|Customers|Accounts)"`));
    expect(childrenOf(xml)).toEqual([...ENTITY, ...own]);
  });
});
