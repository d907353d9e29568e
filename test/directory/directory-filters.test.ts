import { describe, expect, it } from 'vitest';
import { adminCookie } from '../support/directory.js';
import { seedDirectoryTree } from '../support/directory-tree.js';
import { startTestServer } from '../support/server.js';

/** A directory of two accounts (see directory-tree.ts) and a list call answering the names it got. */
async function directory() {
  const server = await startTestServer();
  await seedDirectoryTree(server.store);
  const cookie = await adminCookie(server.store);
  const get = async (path: string) => {
    const res = await fetch(server.url + path, { headers: { cookie } });
    return { status: res.status, body: await res.json() };
  };
  const label = (item: Record<string, string>) => item.displayName ?? item.name ?? item.emailAddress;
  /** The labels of every item a list answers (all=true), sorted: what the filter let through. */
  const names = async (path: string) => {
    const { status, body } = await get(path + (path.includes('?') ? '&' : '?') + 'all=true');
    expect(status, `${path}: ${JSON.stringify(body)}`).toBe(200);
    return (body.items as Record<string, string>[]).map(label).sort();
  };
  return { ...server, cookie, get, names };
}

describe('ListAccounts', () => {
  it('nameFilter: contains, case-insensitive, % taken literally', async () => {
    const { names } = await directory();
    expect(await names('/accounts')).toEqual(['Acme Holdings', 'Bravo Ltd']);
    expect(await names('/accounts?nameFilter=acme')).toEqual(['Acme Holdings']);
    expect(await names('/accounts?nameFilter=LTD')).toEqual(['Bravo Ltd']);
    expect(await names('/accounts?nameFilter=zzz')).toEqual([]);
    expect(await names('/accounts?nameFilter=%25')).toEqual([]);
  });
});

describe('ListCustomers', () => {
  it('accountIds and nameFilter, alone and combined', async () => {
    const { names } = await directory();
    expect(await names('/customers')).toEqual(['Acme Root', 'Bravo Root', 'East Region', 'West Kids', 'West Region']);
    expect(await names('/customers?accountIds=acct_b')).toEqual(['Bravo Root']);
    expect(await names('/customers?nameFilter=REGION')).toEqual(['East Region', 'West Region']);
    expect(await names('/customers?nameFilter=root&accountIds=acct_a')).toEqual(['Acme Root']);
    expect(await names('/customers?nameFilter=kids&accountIds=acct_b')).toEqual([]);
  });

  it('parentCustomerIds reaches every descendant; shallowParent=true only the children', async () => {
    const { names } = await directory();
    expect(await names('/customers?parentCustomerIds=c_root')).toEqual(['East Region', 'West Kids', 'West Region']);
    expect(await names('/customers?parentCustomerIds=c_root&shallowParent=false')).toEqual(['East Region', 'West Kids', 'West Region']);
    expect(await names('/customers?parentCustomerIds=c_root&shallowParent=true')).toEqual(['East Region', 'West Region']);
    expect(await names('/customers?parentCustomerIds=c_west,c_east')).toEqual(['West Kids']);
    expect(await names('/customers?parentCustomerIds=c_west_kid')).toEqual([]);
    expect(await names('/customers?parentCustomerIds=c_root&nameFilter=west')).toEqual(['West Kids', 'West Region']);
    expect(await names('/customers?parentCustomerIds=c_root&nameFilter=west&shallowParent=true')).toEqual(['West Region']);
    expect(await names('/customers?parentCustomerIds=c_root&accountIds=acct_b')).toEqual([]);
  });

  it('answers customers with referenceId and the breadcrumb, in Evo order', async () => {
    const { get } = await directory();
    const { body } = await get('/customers/c_west_kid');
    expect(Object.keys(body)).toEqual(['id', 'dateCreated', 'dateLastModified', 'accountId', 'parentCustomerId', 'breadcrumb', 'accountName', 'name']);
    expect((await get('/customers/c_root')).body.referenceId).toBe('crm-root');
  });
});

describe('ListEndpoints', () => {
  const ALL = ['Bravo Line', 'Dana Agent', 'Eli Agent', 'Main Line', 'Support Team'];

  it.each([
    ['', ALL],
    ['accountIds=acct_b', ['Bravo Line']],
    ['nameFilter=AGENT', ['Dana Agent', 'Eli Agent']],
    ['nameFilter=nobody', []],
    ['phoneNumberFilter=0100', ['Main Line']],
    ['phoneNumberFilter=(503) 555-0199', ['Bravo Line']],
    ['phoneNumberFilter=503555', ['Bravo Line', 'Main Line']],
    ['phoneNumberFilter=+44', []],
    ['referenceIds=crm-1,crm-2', ['Eli Agent', 'Main Line']],
    ['referenceIds=crm-9', []],
    ['type=User', ['Dana Agent', 'Eli Agent']],
    ['types=Team,PhoneNumber', ['Bravo Line', 'Main Line', 'Support Team']],
    ['type=User&types=Team', []],
    ['type=User&types=User,Team', ['Dana Agent', 'Eli Agent']],
    ['userMode=SipPhone', ['Eli Agent']],
    ['userMode=Flow', []],
    ['sipUserName=dana-sip', ['Dana Agent']],
    ['sipUserName=dana', []],
    ['customerIds=c_west', ['Dana Agent', 'Support Team']],
    ['customerIds=c_west&shallowParent=true', ['Support Team']],
    ['customerIds=c_root', ['Dana Agent', 'Eli Agent', 'Main Line', 'Support Team']],
    ['customerIds=c_root&shallowParent=true', ['Main Line']],
    ['customerIds=c_root&types=User', ['Dana Agent', 'Eli Agent']],
    ['customerIds=c_root&types=User&shallowParent=true', []],
    ['accountIds=acct_a&type=User&nameFilter=dana', ['Dana Agent']],
    ['accountIds=acct_b&type=User', []],
    ['customerIds=c_east&userMode=SipPhone&sipUserName=eli-sip&referenceIds=crm-2', ['Eli Agent']],
    ['customerIds=c_east&userMode=SoftPhone', []],
  ])('?%s', async (query, expected) => {
    const { names } = await directory();
    expect(await names(`/endpoints?${query.replace(/ /g, '%20').replace(/\+/g, '%2B')}`)).toEqual(expected);
  });

  it('answers endpoints with Evo members: type, referenceId, the customer and its breadcrumb, in Evo order', async () => {
    const { get } = await directory();
    const { body } = await get('/endpoints/ep_4');
    expect(Object.keys(body)).toEqual([
      'id', 'dateCreated', 'dateLastModified', 'accountId', 'accountName', 'customerId', 'customerName', 'customerBreadcrumb',
      'displayName', 'type', 'userMode', 'sipUserName', 'email',
    ]);
    expect(body).toMatchObject({
      type: 'User',
      customerName: 'West Kids',
      customerBreadcrumb: [{ id: 'c_root', name: 'Acme Root' }, { id: 'c_west', name: 'West Region' }, { id: 'c_west_kid', name: 'West Kids' }],
    });
  });

  it('sorts by sortField, and refuses a field it cannot sort by', async () => {
    const { get } = await directory();
    const ids = async (query: string) => ((await get(`/endpoints?${query}`)).body.items as { id: string }[]).map((e) => e.id);
    expect(await ids('')).toEqual(['ep_1', 'ep_4', 'ep_3', 'ep_5', 'ep_2']);
    expect(await ids('sortField=id')).toEqual(['ep_1', 'ep_2', 'ep_3', 'ep_4', 'ep_5']);
    expect(await ids('sortField=ID&sortOrder=Descend')).toEqual(['ep_5', 'ep_4', 'ep_3', 'ep_2', 'ep_1']);
    const bad = await get('/endpoints?sortField=flowName');
    expect(bad).toMatchObject({ status: 400, body: { responseStatus: { errors: [{ fieldName: 'SortField' }] } } });
  });
});

describe('ListUsers', () => {
  it('accountIds and emailFilter, alone and combined', async () => {
    const { names } = await directory();
    expect(await names('/users?emailFilter=ACME')).toEqual(['dana@acme.test']);
    expect(await names('/users?accountIds=acct_b')).toEqual(['both@x.test', 'eli@bravo.test']);
    expect(await names('/users?accountIds=acct_b&emailFilter=both')).toEqual(['both@x.test']);
    expect(await names('/users?accountIds=acct_a&emailFilter=bravo')).toEqual([]);
  });
});

describe('a list never ignores a filter it was given', () => {
  it.each([
    ['/customers?tagIds=t1', 'TagIds'],
    ['/endpoints?flowIds=f1', 'FlowIds'],
    ['/endpoints?flowState=Active', 'FlowState'],
    ['/endpoints?tagIds=t1,t2', 'TagIds'],
    ['/endpoints?dataFilters=Region%3DWest', 'DataFilters'],
    ['/endpoints?flowParametersFilter=%7B%7D', 'FlowParametersFilter'],
    // Switchboard's former names: a client still sending them learns the new one.
    ['/accounts?name=Acme', 'Name'],
    ['/customers?parentCustomerId=c_root', 'ParentCustomerId'],
    ['/endpoints?name=Dana', 'Name'],
    ['/users?emailAddress=dana', 'EmailAddress'],
  ])('%s → 400 naming %s', async (path, field) => {
    const { get } = await directory();
    const res = await get(path);
    expect(res).toMatchObject({ status: 400, body: { responseStatus: { errors: [{ fieldName: field, errorCode: 'NotSupported' }] } } });
  });

  it.each([
    [{ tagIds: ['t1'] }, 'TagIds'],
    [{ name: 'Dana' }, 'Name'],
  ])('refuses %j in a JSON body on /api too', async (body, field) => {
    const { url, cookie } = await directory();
    const res = await fetch(`${url}/api/ListEndpoints`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).responseStatus.errors[0].fieldName).toBe(field);
  });

  it('ignores query parameters that are no member of the DTO, as ServiceStack does (cache busters)', async () => {
    const { names } = await directory();
    expect(await names('/accounts?_=1733212345678')).toEqual(['Acme Holdings', 'Bravo Ltd']);
  });
});
