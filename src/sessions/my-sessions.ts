import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { defineDto } from '../model/dto.js';
import { SessionInfo } from '../model/session-info.js';
import { ApiError } from '../http/errors.js';
import type { Caller, Operation } from '../http/operation.js';
import type { Database } from '../store/schema.js';
import { signedIn } from '../directory/tenancy.js';
import type { ReadsOf } from './session-reads.js';
import { withDocuments } from './stored-documents.js';

const NAMESPACE = 'Voice.Api.Sessions';
const sessionsMember = { sessions: Type.Array(SessionInfo.schema, { description: 'The sessions, newest first' }) };

export const GetMySessions = defineDto({ name: 'GetMySessions', namespace: NAMESPACE, description: "The caller's own sessions that have not ended" }, {});
export const GetMySessionsResponse = defineDto({ name: 'GetMySessionsResponse', namespace: NAMESPACE }, sessionsMember);
export const GetActiveSessions = defineDto({ name: 'GetActiveSessions', namespace: NAMESPACE, description: "The active sessions of the caller's User endpoints" }, {});
export const GetActiveSessionsResponse = defineDto({ name: 'GetActiveSessionsResponse', namespace: NAMESPACE }, sessionsMember);

/** Most unended sessions looked at per request; more means end events were lost, not more calls. */
const MAX_UNENDED = 5000;

/** The agent a signed-in user is: the User endpoints carrying the user's email, per account. */
export interface CallerEndpoints {
  readonly ids: ReadonlySet<string>;
  readonly identities: ReadonlySet<string>;
}

export async function callerEndpoints(db: Kysely<Database>, caller: Caller): Promise<CallerEndpoints> {
  let query = db
    .selectFrom('endpoints as e')
    .innerJoin('users as u', (join) => join.on((eb) => eb(eb.fn('lower', ['u.email']), '=', eb.fn('lower', ['e.email']))))
    .select(['e.id', 'e.identity'])
    .where('u.id', '=', caller.userId)
    .where('e.type', '=', 'User');
  if (caller.accountIds !== 'all') {
    if (caller.accountIds.length === 0) return { ids: new Set(), identities: new Set() };
    query = query.where('e.account_id', 'in', [...caller.accountIds]);
  }
  const rows = await query.execute();
  return {
    ids: new Set(rows.map((r) => r.id)),
    identities: new Set(rows.flatMap((r) => (r.identity ? [r.identity] : []))),
  };
}

/** Whether the session is the agent's: its endpoint, who answered, its queue member, or a member. */
export function involves(session: SessionInfo, agent: CallerEndpoints): boolean {
  const mine = (id: string | undefined) => id !== undefined && agent.ids.has(id);
  return (
    mine(session.endpointId) ||
    mine(session.answeredById) ||
    mine(session.queueMemberId) ||
    (session.members ?? []).some((m) => mine(m.endpointId) || (m.identity !== undefined && agent.identities.has(m.identity)))
  );
}

/** The caller's unended sessions as stored documents, newest first. */
async function unendedSessionsOf(readsOf: ReadsOf, caller: Caller, agent: CallerEndpoints): Promise<string[]> {
  const documents = await readsOf(caller).unended(caller.accountIds, MAX_UNENDED);
  return documents.filter((json) => involves(JSON.parse(json) as SessionInfo, agent));
}

/** GET /sessions/my: sessions the caller takes part in (member, answerer, queue member) that have not ended. */
export function getMySessionsOperation(db: Kysely<Database>, readsOf: ReadsOf): Operation<typeof GetMySessions> {
  return {
    request: GetMySessions,
    response: GetMySessionsResponse,
    routes: [{ path: '/sessions/my', verbs: ['GET'] }],
    access: { anyRole: ['User'] },
    async handle(_input, context) {
      const caller = signedIn(context.caller);
      const agent = await callerEndpoints(db, caller);
      const documents = agent.ids.size || agent.identities.size ? await unendedSessionsOf(readsOf, caller, agent) : [];
      return withDocuments(GetMySessionsResponse, 'sessions', documents, {});
    },
  };
}

/** GET /sessions/active: as /sessions/my, for a caller who must be a User endpoint (a 403 otherwise). */
export function getActiveSessionsOperation(db: Kysely<Database>, readsOf: ReadsOf): Operation<typeof GetActiveSessions> {
  return {
    request: GetActiveSessions,
    response: GetActiveSessionsResponse,
    routes: [{ path: '/sessions/active', verbs: ['GET'] }],
    access: { anyRole: ['User'] },
    async handle(_input, context) {
      const caller = signedIn(context.caller);
      const agent = await callerEndpoints(db, caller);
      if (agent.ids.size === 0) {
        throw new ApiError('Forbidden', 'Active sessions are for agents: no User endpoint carries your email address');
      }
      return withDocuments(GetActiveSessionsResponse, 'sessions', await unendedSessionsOf(readsOf, caller, agent), {});
    },
  };
}
