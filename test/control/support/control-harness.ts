import { onTestFinished } from 'vitest';
import type { ControlOptions } from '../../../src/control/call-control-wiring.js';
import { hashPassword } from '../../../src/auth/passwords.js';
import { UsersRepository } from '../../../src/directory/users-repository.js';
import { sessionIdForKey } from '../../../src/events/session-id.js';
import type { SessionInfo } from '../../../src/model/session-info.js';
import { signInCookie } from '../../support/directory.js';
import type { Store } from '../../../src/store/open-store.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { TwilioFake } from '../../support/twilio-fake.js';
import { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN, OTHER_ACCOUNT_ID, OTHER_ACCOUNT_SID, OTHER_TOKEN, PUBLIC_URL, SESSION_KEY_SECRET_FOR_TESTS, seedDirectory } from '../../events/support/directory-seed.js';

export { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN, OTHER_ACCOUNT_ID, OTHER_ACCOUNT_SID, OTHER_TOKEN, PUBLIC_URL };

/** Every harness user's password, for clients that sign in by Basic auth. */
export const PASSWORD = 'correct horse battery';
export const CALLER_NUMBER = '+15035551234';
export const MAIN_LINE = '+15035550000';

export interface Harness extends TestServer {
  readonly fake: TwilioFake;
  /** Dana Agent (role User) of acct_acme, signed in by cookie. */
  readonly danaId: string;
  /** A fetch signed in as Dana, JSON in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  session(id: string): Promise<SessionInfo>;
  /** A cookie of another account's agent and manager. */
  readonly otherCookie: string;
  readonly cookie: string;
}

/**
 * A Switchboard on 127.0.0.1 whose Twilio is the local fake, the events directory (acct_acme with
 * its Twilio credentials, Dana Agent's User endpoint `client:dana`), and Dana signed in.
 */
export async function startHarness(control: ControlOptions = {}, store?: Store): Promise<Harness> {
  const fake = await TwilioFake.start({ accounts: [{ sid: ACCOUNT_SID, token: AUTH_TOKEN }, { sid: OTHER_ACCOUNT_SID, token: OTHER_TOKEN }] });
  onTestFinished(() => fake.close());
  const server = await startTestServer([], { ...instanceOptions(fake, control), store });
  fake.switchboardUrl = server.url;
  await seedDirectory(server.store.db);
  await server.store.db.updateTable('endpoints').set({ email: 'dana@acme.test' }).where('id', '=', 'ep_agent_dana').execute();
  const users = new UsersRepository(server.store.db);
  const dana = (await users.create({ email: 'dana@acme.test', displayName: 'Dana Agent', roles: ['User'], accountIds: [ACCOUNT_ID], passwordHash: await hashPassword(PASSWORD) }, new Date()))!;
  const other = (await users.create({ email: 'olga@other.test', displayName: 'Olga Other', roles: ['User', 'Manager'], accountIds: [OTHER_ACCOUNT_ID] }, new Date()))!;
  const cookie = await signInCookie(server.store, dana);
  const otherCookie = await signInCookie(server.store, other);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      method,
      headers: { cookie, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const session = async (id: string) => (await call('GET', `/sessions/${id}`)).json() as Promise<SessionInfo>;
  return { ...server, fake, danaId: dana.id, call, session, cookie, otherCookie };
}

const instanceOptions = (fake: TwilioFake, control: ControlOptions) => ({
  events: { publicUrl: PUBLIC_URL },
  control: { twilioApiUrl: fake.url, twilioTimeoutMs: 400, twilioMaxRetries: 1, reconcileAfterMs: 60_000, ...control },
});

/**
 * Another Switchboard over `store` (a second store on the harness's database: another instance
 * behind the load balancer), with the same Twilio fake; `call` is signed in as Dana there too.
 */
export async function anotherInstance(h: Harness, store: Store, control: ControlOptions = {}): Promise<Pick<Harness, 'url' | 'call'>> {
  const server = await startTestServer([], { ...instanceOptions(h.fake, control), store });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { cookie: h.cookie, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { url: server.url, call };
}

/** A Manager of acct_acme who can sign in (Basic auth) with PASSWORD. */
export async function addManager(h: Harness, email = 'max@acme.test'): Promise<{ id: string; email: string; cookie: string }> {
  const manager = (await new UsersRepository(h.store.db).create({ email, displayName: 'Max Manager', roles: ['Manager'], accountIds: [ACCOUNT_ID], passwordHash: await hashPassword(PASSWORD) }, new Date()))!;
  return { id: manager.id, email, cookie: await signInCookie(h.store, manager) };
}

export interface LiveCall {
  readonly sessionId: string;
  readonly callerSid: string;
  readonly agentSid: string;
  readonly conferenceSid: string;
}

/**
 * An inbound call answered by Dana in a conference, built the way Twilio would report it: the
 * fake's signed callbacks (incoming-call webhook, call progress, conference joins) open the session.
 */
export async function liveConferenceCall(h: Pick<Harness, 'fake'>, accountSid = ACCOUNT_SID, accountId = ACCOUNT_ID, agentIdentity = 'client:dana'): Promise<LiveCall> {
  const caller = h.fake.addCall(accountSid, { from: CALLER_NUMBER, to: MAIN_LINE, status: 'ringing', statusCallback: `${PUBLIC_URL}/twilio/voice/status` });
  const sessionId = sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, accountId, 'twilio', caller.sid);
  await h.fake.deliver({ accountSid, url: `${PUBLIC_URL}/twilio/voice`, params: { AccountSid: accountSid, CallSid: caller.sid, From: CALLER_NUMBER, To: MAIN_LINE, Direction: 'inbound', CallStatus: 'ringing' } });
  h.fake.setCallStatus(caller.sid, 'in-progress');
  const agent = h.fake.addCall(accountSid, { from: MAIN_LINE, to: agentIdentity, direction: 'outbound-api', status: 'ringing', statusCallback: `${PUBLIC_URL}/twilio/voice/status?sessionId=${sessionId}` });
  h.fake.setCallStatus(agent.sid, 'in-progress');
  const conference = h.fake.joinConference(accountSid, sessionId, `${PUBLIC_URL}/twilio/conference/status?sessionId=${sessionId}`, [caller.sid, agent.sid], { [agent.sid]: agentIdentity });
  await h.fake.settled();
  return { sessionId, callerSid: caller.sid, agentSid: agent.sid, conferenceSid: conference.sid };
}

/** An inbound call ringing Dana through `<Dial>` (no conference yet). */
export async function ringingAgentCall(h: Pick<Harness, 'fake'>): Promise<Omit<LiveCall, 'conferenceSid'>> {
  const caller = h.fake.addCall(ACCOUNT_SID, { from: CALLER_NUMBER, to: MAIN_LINE, status: 'ringing', statusCallback: `${PUBLIC_URL}/twilio/voice/status` });
  const sessionId = sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, ACCOUNT_ID, 'twilio', caller.sid);
  await h.fake.deliver({ accountSid: ACCOUNT_SID, url: `${PUBLIC_URL}/twilio/voice`, params: { AccountSid: ACCOUNT_SID, CallSid: caller.sid, From: CALLER_NUMBER, To: MAIN_LINE, Direction: 'inbound', CallStatus: 'ringing' } });
  h.fake.setCallStatus(caller.sid, 'in-progress');
  const agent = h.fake.addCall(ACCOUNT_SID, { from: MAIN_LINE, to: 'client:dana', direction: 'outbound-dial', status: 'initiated', parentCallSid: caller.sid, statusCallback: `${PUBLIC_URL}/twilio/voice/status` });
  h.fake.setCallStatus(agent.sid, 'ringing');
  await h.fake.settled();
  return { sessionId, callerSid: caller.sid, agentSid: agent.sid };
}

/** Waits (briefly) until the session satisfies `done`; for effects that arrive after a deadline. */
export async function eventually(h: Harness, id: string, done: (s: SessionInfo) => boolean, ms = 3000): Promise<SessionInfo> {
  const until = Date.now() + ms;
  for (;;) {
    const session = await h.session(id);
    if (done(session) || Date.now() > until) return session;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
