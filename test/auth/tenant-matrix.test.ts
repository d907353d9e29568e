/**
 * The tenant wall, walked over every operation `operations(store)` registers: each route (and
 * `/api/{Name}`) × five callers, asserting the status and that no other tenant's data (nor any
 * Twilio auth token) appears in any body. The other tenant is a Manager of its account, the
 * strongest caller short of a SystemAdministrator (who passes every check, and so proves nothing).
 *
 * Then the missing-record row: a Manager of account A aims every operation at account B's record
 * and at a record that does not exist, and must get the same answer (status and body, the ids
 * aside), so no operation tells which foreign ids exist.
 *
 * ADDING AN OPERATION: give it an entry in EXPECTATIONS below, keyed by its request DTO name. An
 * entry says which record to aim at (`params`, from a target's records: account A's for the wall,
 * B's or missing ones for the missing-record row; filled into `{placeholders}` of the route, the
 * rest sent as query or JSON body) and the status each caller gets. `params` may create a fresh
 * record each time (deletes). An operation without an entry fails this test on purpose.
 */
import { describe, expect, it } from 'vitest';
import { operations } from '../../src/app.js';
import { CustomersRepository } from '../../src/directory/customers-repository.js';
import { EndpointsRepository } from '../../src/directory/endpoints-repository.js';
import { operationName, type Operation } from '../../src/http/operation.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import type { Store } from '../../src/store/open-store.js';
import { addAccount, addUser, signInCookie } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

const CALLERS = ['anonymous', 'otherAccount', 'user', 'manager', 'admin'] as const;
type CallerName = (typeof CALLERS)[number];
type Statuses = Record<CallerName, number>;

/** Words that only account A's data holds, and only account B's; and the secrets no body may hold. */
const A_MARKER = 'zephyr';
const B_MARKER = 'quokka';
const SECRETS = ['tok-alpha-secret', 'tok-bravo-secret'];

const A = 'acct_a';
const B = 'acct_b';

/** The records of one target: account A's, account B's, or ids that exist nowhere. */
interface Fixture {
  readonly store: Store;
  readonly accountId: string;
  readonly sessionId: string;
  readonly customerId: string;
  readonly endpointId: string;
  readonly userId: string;
  /** A record of the target made for one request (deletes need their own), or a missing id. */
  readonly fresh: { account(): Promise<string>; customer(): Promise<string>; endpoint(): Promise<string>; user(): Promise<string> };
  /** A fresh, unique suffix for records a request creates. */
  readonly next: () => number;
}

interface Expectation {
  readonly params: (f: Fixture) => Promise<Record<string, unknown>> | Record<string, unknown>;
  readonly statuses: Statuses;
}

const readable: Statuses = { anonymous: 401, otherAccount: 403, user: 200, manager: 200, admin: 200 };
const managed: Statuses = { anonymous: 401, otherAccount: 403, user: 403, manager: 200, admin: 200 };
const managedDelete: Statuses = { ...managed, manager: 204, admin: 204 };
const adminOnly: Statuses = { anonymous: 401, otherAccount: 403, user: 403, manager: 403, admin: 200 };

const EXPECTATIONS: Record<string, Expectation> = {
  GetSession: { params: (f) => ({ sessionId: f.sessionId }), statuses: readable },
  Authenticate: { params: () => ({}), statuses: { ...readable, otherAccount: 200 } },
  GetAuthStatus: { params: () => ({}), statuses: { ...readable, otherAccount: 200 } },

  ListAccounts: { params: () => ({}), statuses: { ...readable, otherAccount: 200 } },
  GetAccount: { params: (f) => ({ accountId: f.accountId }), statuses: readable },
  NewAccount: { params: (f) => ({ name: `Zephyr New ${f.next()}` }), statuses: adminOnly },
  PatchAccount: { params: (f) => ({ accountId: f.accountId, name: 'Zephyr Holdings' }), statuses: managed },
  DeleteAccount: { params: async (f) => ({ accountId: await f.fresh.account() }), statuses: { ...adminOnly, admin: 204 } },

  ListCustomers: { params: (f) => ({ accountIds: [f.accountId] }), statuses: readable },
  GetCustomer: { params: (f) => ({ customerId: f.customerId }), statuses: readable },
  NewCustomer: { params: (f) => ({ accountId: f.accountId, name: `Zephyr Kid ${f.next()}`, parentCustomerId: f.customerId }), statuses: managed },
  PatchCustomer: { params: (f) => ({ customerId: f.customerId, name: 'Zephyr Retail' }), statuses: managed },
  DeleteCustomer: { params: async (f) => ({ customerId: await f.fresh.customer() }), statuses: managedDelete },

  ListEndpoints: { params: (f) => ({ accountIds: [f.accountId] }), statuses: readable },
  GetEndpoint: { params: (f) => ({ endpointId: f.endpointId }), statuses: readable },
  NewEndpoint: { params: (f) => ({ accountId: f.accountId, type: 'PhoneNumber', displayName: `Zephyr Line ${f.next()}`, phoneNumber: '+15035550111' }), statuses: managed },
  // Evo Voice's typed create routes: each creates in the target account, so only its Managers may.
  NewUserEndpoint: { params: (f) => ({ accountId: f.accountId, emailAddress: `zephyr-agent-${f.next()}@a.test`, firstName: 'Zephyr' }), statuses: managed },
  NewTeamEndpoint: { params: (f) => ({ accountId: f.accountId, name: `Zephyr Team ${f.next()}` }), statuses: managed },
  NewEmailEndpoint: { params: (f) => ({ accountId: f.accountId, emailAddress: `zephyr-inbox-${f.next()}@a.test` }), statuses: managed },
  NewSipTrunkEndpoint: { params: (f) => ({ accountId: f.accountId, name: `Zephyr Trunk ${f.next()}` }), statuses: managed },
  NewAssistantEndpoint: { params: (f) => ({ accountId: f.accountId, name: `Zephyr Bot ${f.next()}` }), statuses: managed },
  BuyPhoneNumber: { params: (f) => ({ accountId: f.accountId, number: '+15035550112' }), statuses: managed },
  PatchEndpoint: { params: (f) => ({ endpointId: f.endpointId, displayName: 'Zephyr Line' }), statuses: managed },
  DeleteEndpoint: { params: async (f) => ({ endpointId: await f.fresh.endpoint() }), statuses: managedDelete },

  ListUsers: { params: (f) => ({ accountIds: [f.accountId] }), statuses: managed },
  GetUser: { params: (f) => ({ userId: f.userId }), statuses: managed },
  NewUser: { params: (f) => ({ emailAddress: `zephyr-${f.next()}@a.test`, password: 'long enough', accountIds: [f.accountId] }), statuses: managed },
  PatchUser: { params: (f) => ({ userId: f.userId, firstName: 'Zephyr' }), statuses: managed },
  DeleteUser: { params: async (f) => ({ userId: await f.fresh.user() }), statuses: managedDelete },

  ListSessions: { params: (f) => ({ accountIds: [f.accountId] }), statuses: readable },
  // The caller's own sessions: nobody sees another's. role:User as the contract says; a Manager
  // without the User role (as the other account's caller is) is refused.
  GetMySessions: { params: () => ({}), statuses: { anonymous: 401, otherAccount: 403, user: 200, manager: 403, admin: 200 } },
  // For agents: the fixture's `user` is a User endpoint of account A; others are no agent (403).
  GetActiveSessions: { params: () => ({}), statuses: { anonymous: 401, otherAccount: 403, user: 200, manager: 403, admin: 403 } },
  // Provider events come from machines with a Manager key (or a Manager); agents may not forge them.
  PostSessionEvents: {
    params: (f) => ({
      accountId: f.accountId,
      events: [{ id: `m${f.next()}`, source: 'matrix', sessionKey: `zephyr-${f.next()}`, type: 'SessionStarted', occurredAt: '2026-11-27T14:00:00Z', data: { channel: 'Chat' } }],
    }),
    statuses: managed,
  },
  NewSession: { params: (f) => ({ accountId: f.accountId, channel: 'Chat', direction: 'Outgoing', toAddress: 'zephyr-visitor' }), statuses: readable },
  PatchSession: { params: (f) => ({ sessionId: f.sessionId, consoleData: 'zephyr notes' }), statuses: readable },
  AppendSessionLog: { params: (f) => ({ sessionId: f.sessionId, message: 'zephyr called back' }), statuses: readable },
  // An empty range: the wall is what is tested here, deleting is tested in test/lifecycle.
  DeleteSessions: {
    params: (f) => ({ accountId: f.accountId, startDateTime: '2001-01-01T00:00:00Z', endDateTime: '2001-01-02T00:00:00Z' }),
    statuses: managedDelete,
  },

  // Server events: subscribers of a channel the caller must be allowed to read; a subscription id
  // that is not the caller's (here: none) is the same 404 for everyone. The stream's raw routes
  // (/event-stream, /event-heartbeat, /event-unregister, /stream) are walked in the block below.
  GetEventSubscribers: { params: () => ({ channels: [`account:${A}`] }), statuses: readable },
  UpdateEventSubscriber: {
    params: () => ({ id: 'no-such-subscription', subscribeChannels: [`account:${A}`] }),
    statuses: { anonymous: 401, otherAccount: 404, user: 404, manager: 404, admin: 404 },
  },

  // Call control (issue 17). Account A has no Twilio Account SID, so a command that would reach
  // Twilio is a 409 TelephonyNotConfigured for those allowed through the wall; one that asks for
  // what already holds (the golden caller is held, the agent muted, the call in a conference) is a
  // 200 with nothing sent. Commands are for agents and managers.
  EndSession: { params: (f) => ({ sessionId: f.sessionId }), statuses: { ...readable, user: 409, manager: 409, admin: 409 } },
  HoldSession: { params: (f) => ({ sessionId: f.sessionId }), statuses: readable },
  PatchConferenceMember: { params: (f) => ({ sessionId: f.sessionId, callSid: 'CAfedcba9876543210fedcba9876543210', muted: true }), statuses: readable },
  RedirectSession: { params: (f) => ({ sessionId: f.sessionId, destination: '+15035550177' }), statuses: { ...readable, user: 409, manager: 409, admin: 409 } },
  MakeConference: { params: (f) => ({ sessionId: f.sessionId }), statuses: readable },
  AddConferenceMember: { params: (f) => ({ sessionId: f.sessionId, destination: '+15035550177' }), statuses: { ...readable, user: 409, manager: 409, admin: 409 } },
  // Nothing rings on the caller's device: 409 before anything is sent.
  RejectSession: { params: (f) => ({ sessionId: f.sessionId }), statuses: { ...readable, user: 409, manager: 409, admin: 409 } },
  RecordSession: { params: (f) => ({ sessionId: f.sessionId }), statuses: { ...readable, user: 409, manager: 409, admin: 409 } },
  NewOutgoingSession: { params: () => ({ accountId: A, numberToDial: '+15035550177', callerId: '+15035550100' }), statuses: { ...managed, manager: 409, admin: 409 } },
  GetActiveCalls: { params: () => ({ accountId: A }), statuses: { ...managed, manager: 409, admin: 409 } },
  // Retention and legal hold: the account's Managers and SystemAdministrators (test/lifecycle).
  GetAccountLifecycle: { params: () => ({ accountId: A }), statuses: managed },
  PatchAccountLifecycle: { params: () => ({ accountId: A, liveDays: 20 }), statuses: managed },
  GetSessionHold: { params: (f) => ({ sessionId: f.sessionId }), statuses: managed },
  PlaceSessionHold: { params: (f) => ({ sessionId: f.sessionId, reason: 'zephyr case' }), statuses: managed },
  ReleaseSessionHold: { params: (f) => ({ sessionId: f.sessionId }), statuses: managed },

  // Chat and SMS (issue 18). The fixture session is a voice call: a chat operation on it is a 400
  // (InvalidChannel) for those allowed through the wall, before anything reaches Twilio.
  SendMessage: { params: (f) => ({ sessionId: f.sessionId, body: 'zephyr says hi' }), statuses: { ...readable, user: 400, manager: 400, admin: 400 } },
  GetChatTranscript: { params: (f) => ({ sessionId: f.sessionId }), statuses: { ...readable, user: 400, manager: 400, admin: 400 } },
  InviteChatMember: { params: (f) => ({ sessionId: f.sessionId, memberToAdd: '+15035550177' }), statuses: { ...readable, user: 400, manager: 400, admin: 400 } },
  DeleteChatMember: { params: (f) => ({ sessionId: f.sessionId, memberId: '+15035550177' }), statuses: { ...readable, user: 400, manager: 400, admin: 400 } },
  ListMessages: { params: () => ({ accountIds: [A] }), statuses: readable },
  ListConversations: { params: () => ({ accountIds: [A] }), statuses: readable },
};

/** The golden session, renamed into one tenant's words. */
function sessionOf(accountId: string, id: string, word: string): SessionInfo {
  return { ...JSON.parse(JSON.stringify(goldenSession()).replace(/Acme/g, word)), id, accountId };
}

async function tenants() {
  const server = await startTestServer([sessionOf(A, 'sess_a', 'Zephyr'), sessionOf(B, 'sess_b', 'Quokka')]);
  const { store } = server;
  await addAccount(store, A, 'Zephyr Holdings', { twilioAuthToken: SECRETS[0] });
  await addAccount(store, B, 'Quokka Ltd', { twilioAuthToken: SECRETS[1] });
  const customers = new CustomersRepository(store.db);
  const endpoints = new EndpointsRepository(store.db);
  const customerA = await customers.create({ accountId: A, name: 'Zephyr Retail' }, new Date());
  const customerB = await customers.create({ accountId: B, name: 'Quokka Retail' }, new Date());
  const endpointA = await endpoints.create({ accountId: A, type: 'PhoneNumber', displayName: 'Zephyr Line', phoneNumber: '+15035550100' }, new Date());
  const endpointB = await endpoints.create({ accountId: B, type: 'PhoneNumber', displayName: 'Quokka Line', phoneNumber: '+15035550199' }, new Date());
  await endpoints.create({ accountId: A, type: 'User', displayName: 'Zephyr Agent', email: 'zephyr-user@a.test', identity: 'client:zephyr' }, new Date());
  const targetA = await addUser(store, 'zephyr-agent@a.test', ['User'], [A]);
  const targetB = await addUser(store, 'quokka-agent@b.test', ['User'], [B]);
  // Works for both accounts: A's callers may see the person, never B's name beside it.
  await addUser(store, 'temp-both@either.test', ['User'], [A, B]);
  const users = {
    otherAccount: await addUser(store, 'quokka-manager@b.test', ['Manager'], [B]),
    user: await addUser(store, 'zephyr-user@a.test', ['User'], [A]),
    manager: await addUser(store, 'zephyr-manager@a.test', ['Manager'], [A]),
    admin: await addUser(store, 'root@switchboard.test', ['SystemAdministrator'], []),
  };
  let counter = 0;
  const next = () => ++counter;
  const word: Record<string, string> = { [A]: 'Zephyr', [B]: 'Quokka' };
  const ofAccount = (accountId: string, records: { sessionId: string; customerId: string; endpointId: string; userId: string }): Fixture => ({
    store,
    accountId,
    ...records,
    next,
    fresh: {
      account: async () => (await addAccount(store, `acct_tmp_${next()}`, `${word[accountId]} Temp`)).id,
      customer: async () => (await customers.create({ accountId, name: `${word[accountId]} Temp ${next()}` }, new Date())).id,
      endpoint: async () => (await endpoints.create({ accountId, type: 'Team', displayName: `${word[accountId]} Team ${next()}` }, new Date())).id,
      user: async () => (await addUser(store, `${word[accountId]!.toLowerCase()}-${next()}@${accountId}.test`, ['User'], [accountId])).id,
    },
  });
  const fixture = ofAccount(A, { sessionId: 'sess_a', customerId: customerA.id, endpointId: endpointA.id, userId: targetA.id });
  const foreign = ofAccount(B, { sessionId: 'sess_b', customerId: customerB.id, endpointId: endpointB.id, userId: targetB.id });
  const missingId = (noun: string) => async () => `${noun}_nowhere_${next()}`;
  const missing: Fixture = {
    store,
    accountId: 'acct_nowhere',
    sessionId: 'sess_nowhere',
    customerId: 'cust_nowhere',
    endpointId: 'ep_nowhere',
    userId: 'user_nowhere',
    next,
    fresh: { account: missingId('acct'), customer: missingId('cust'), endpoint: missingId('ep'), user: missingId('user') },
  };
  // A fresh sign-in per request, so a sign-out (Authenticate/logout) cannot spoil the next call.
  const cookieOf = async (caller: CallerName) => (caller === 'anonymous' ? undefined : signInCookie(store, users[caller]));
  return { ...server, fixture, foreign, missing, cookieOf };
}

/** Every way to reach the operation: its custom routes, then `/api/{Name}`. */
function requestsFor(op: Operation, params: Record<string, unknown>) {
  const asQuery = (values: Record<string, unknown>) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) query.set(k, Array.isArray(v) ? v.join(',') : String(v));
    return query.size ? `?${query}` : '';
  };
  const requestOf = (verb: string, path: string, rest: Record<string, unknown>) =>
    verb === 'GET' || verb === 'DELETE'
      ? { verb, url: path + asQuery(rest) }
      : { verb, url: path, body: JSON.stringify(rest) };
  const custom = op.routes.map((route) => {
    const rest = { ...params };
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = rest[name];
      delete rest[name];
      return encodeURIComponent(String(value ?? ''));
    });
    return requestOf(route.verbs[0]!, path, rest);
  });
  return [...custom, requestOf(op.routes[0]!.verbs[0]!, `/api/${operationName(op)}`, params)];
}

describe('the tenant wall', () => {
  it('has an expectation for every registered operation', async () => {
    const { store } = await startTestServer();
    const missing = operations(store).map(operationName).filter((name) => !EXPECTATIONS[name]);
    expect(missing, 'add these to EXPECTATIONS in test/auth/tenant-matrix.test.ts').toEqual([]);
  });

  it('holds on every route for every caller', async () => {
    const { url, store, fixture, cookieOf } = await tenants();
    const failures: string[] = [];
    for (const op of operations(store)) {
      const expectation = EXPECTATIONS[operationName(op)];
      if (!expectation) continue;
      for (const caller of CALLERS) {
        // Fresh params for each request: a delete needs a record of its own every time.
        for (let i = 0; i <= op.routes.length; i++) {
          const request = requestsFor(op, await expectation.params(fixture))[i]!;
          const cookie = await cookieOf(caller);
          const res = await fetch(url + request.url, {
            method: request.verb,
            headers: { ...(cookie ? { cookie } : {}), ...(request.body ? { 'content-type': 'application/json' } : {}) },
            body: request.body,
          });
          const body = (await res.text()).toLowerCase();
          const where = `${operationName(op)} ${request.verb} ${request.url} as ${caller}`;
          if (res.status !== expectation.statuses[caller]) failures.push(`${where}: ${res.status}, expected ${expectation.statuses[caller]} ${body.slice(0, 200)}`);
          const foreign = caller === 'admin' ? [] : caller === 'anonymous' || caller === 'otherAccount' ? [A_MARKER] : [B_MARKER];
          for (const word of [...foreign, ...SECRETS]) if (body.includes(word)) failures.push(`${where}: body holds '${word}'`);
          if (res.status === 401 && caller === 'anonymous' && operationName(op) !== 'Authenticate') {
            if (body !== '' || !res.headers.get('www-authenticate')) failures.push(`${where}: 401 not short-circuited`);
          }
          if (res.status === 500) failures.push(`${where}: 500`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('answers a Manager aiming at another account’s record exactly as at a missing one, on every operation', async () => {
    const { url, store, foreign, missing, cookieOf } = await tenants();
    const failures: string[] = [];
    /** The answer with the ids and values the request sent replaced by their names. */
    const answer = async (op: Operation, route: number, f: Fixture) => {
      const params = await EXPECTATIONS[operationName(op)]!.params(f);
      const request = requestsFor(op, params)[route]!;
      const cookie = (await cookieOf('manager'))!;
      const res = await fetch(url + request.url, {
        method: request.verb,
        headers: { cookie, ...(request.body ? { 'content-type': 'application/json' } : {}) },
        body: request.body,
      });
      let body = await res.text();
      const sent = Object.entries(params).flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value]]));
      for (const [key, value] of sent) if (typeof value === 'string' && value.length > 3) body = body.replaceAll(value, `<${key}>`);
      return { where: `${operationName(op)} ${request.verb} ${request.url}`, status: res.status, body };
    };
    for (const op of operations(store)) {
      if (!EXPECTATIONS[operationName(op)]) continue;
      for (let route = 0; route <= op.routes.length; route++) {
        const toForeign = await answer(op, route, foreign);
        const toMissing = await answer(op, route, missing);
        // A success carries fresh values (a sign-in's id, AuthenticateResponse.sessionId); what must match is that both succeeded.
        if (toForeign.status !== toMissing.status || (toForeign.status >= 300 && toForeign.body !== toMissing.body)) {
          failures.push(`${toForeign.where}: foreign ${toForeign.status} ${toForeign.body.slice(0, 160)} ≠ missing ${toMissing.status} ${toMissing.body.slice(0, 160)}`);
        }
        if (toForeign.status < 300 && toForeign.body.toLowerCase().includes(B_MARKER)) failures.push(`${toForeign.where}: B's record reached A's Manager`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** The stream's raw routes (not operations): each × the five callers, status and no foreign byte in any frame. */
describe('the tenant wall on the event stream', () => {
  it('holds on /event-stream, /event-heartbeat, /event-unregister and /stream for every caller', async () => {
    const { url, fixture, cookieOf } = await tenants();
    const failures: string[] = [];
    const channels = [`account:${A}`, `session:${fixture.sessionId}`, `customer:${fixture.customerId}`, `endpoint:${fixture.endpointId}`];
    const expected: Statuses = { anonymous: 401, otherAccount: 403, user: 200, manager: 200, admin: 200 };
    for (const caller of CALLERS) {
      const cookie = await cookieOf(caller);
      const headers: Record<string, string> = cookie ? { cookie } : {};
      for (const channel of channels) {
        const controller = new AbortController();
        const res = await fetch(`${url}/event-stream?channels=${channel}`, { headers, signal: controller.signal });
        const where = `GET /event-stream?channels=${channel} as ${caller}`;
        if (res.status !== expected[caller]) failures.push(`${where}: ${res.status}, expected ${expected[caller]}`);
        if (res.status !== 200) {
          const body = (await res.text()).toLowerCase();
          if (body.includes(A_MARKER)) failures.push(`${where}: body holds '${A_MARKER}'`);
          continue;
        }
        // The first frames (onConnect, onJoin), then the subscription's own routes with this caller's cookie.
        const reader = res.body!.getReader();
        const { value } = await reader.read();
        const text = new TextDecoder().decode(value);
        const id = /"id":"([^"]+)"/.exec(text)?.[1];
        if (text.toLowerCase().includes(B_MARKER)) failures.push(`${where}: frame holds '${B_MARKER}'`);
        for (const other of CALLERS) {
          const otherCookie = await cookieOf(other);
          const beat = await fetch(`${url}/event-heartbeat?id=${id}`, { method: 'POST', headers: otherCookie ? { cookie: otherCookie } : {} });
          // The id is the credential (Node clients' heartbeats carry no cookies); signed in as someone else: 404.
          const want = other === 'anonymous' || other === caller ? 200 : 404;
          if (beat.status !== want) failures.push(`POST /event-heartbeat of ${caller}'s subscription as ${other}: ${beat.status}, expected ${want}`);
        }
        const gone = await fetch(`${url}/event-unregister?id=${id}`, { method: 'POST', headers });
        if (gone.status !== 200) failures.push(`POST /event-unregister as ${caller}: ${gone.status}`);
        controller.abort();
      }
      const page = await fetch(`${url}/stream`, { headers: { ...headers, accept: 'text/html' } });
      const wantPage = caller === 'anonymous' ? 401 : 200;
      if (page.status !== wantPage) failures.push(`GET /stream as ${caller}: ${page.status}, expected ${wantPage}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
