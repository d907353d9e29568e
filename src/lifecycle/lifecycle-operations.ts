import { Type } from '@sinclair/typebox';
import type { AccountsRepository } from '../directory/accounts-repository.js';
import { assertText } from '../directory/text-input.js';
import { mayUse, notVisible, signedIn, visibleRecord } from '../directory/tenancy.js';
import { validationError } from '../http/errors.js';
import type { Caller, Operation } from '../http/operation.js';
import { defineDto } from '../model/dto.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { SessionsRepository } from '../sessions/sessions-repository.js';
import type { AccountPolicy, LifecyclePolicies, SessionHold } from './lifecycle-policies.js';

const NAMESPACE = 'Switchboard.Api.Lifecycle';
const accountId = Type.Optional(Type.String({ description: 'The ID of the account' }));
const sessionId = Type.Optional(Type.String({ description: 'The ID of the session' }));

export const AccountLifecycleInfo = defineDto(
  { name: 'AccountLifecycleInfo', namespace: NAMESPACE, description: "An account's live window, retention and legal hold" },
  {
    accountId,
    liveDays: Type.Optional(Type.Integer({ description: 'Days an ended session stays live before it is archived (default 15)' })),
    retentionDays: Type.Optional(Type.Integer({ description: 'Days after which sessions and their events are deleted; absent: kept forever' })),
    legalHold: Type.Optional(Type.Boolean({ description: 'While set, nothing of the account is deleted, by retention or by DeleteSessions' })),
  },
);

export const SessionHoldInfo = defineDto(
  { name: 'SessionHoldInfo', namespace: NAMESPACE, description: "A session's legal hold" },
  {
    sessionId,
    accountId,
    held: Type.Optional(Type.Boolean({ description: 'While set, the session is not deleted, by retention or by DeleteSessions' })),
    reason: Type.Optional(Type.String({ description: 'Why the session is held' })),
    placedBy: Type.Optional(Type.String({ description: 'The user who placed the hold' })),
    placedAt: Type.Optional(Type.String({ description: 'When the hold was placed (ISO 8601, UTC)' })),
  },
);

export const GetAccountLifecycle = defineDto(
  { name: 'GetAccountLifecycle', namespace: NAMESPACE, description: "Gets an account's live window, retention and legal hold" },
  { accountId },
);

export const PatchAccountLifecycle = defineDto(
  { name: 'PatchAccountLifecycle', namespace: NAMESPACE, description: "Changes an account's live window, retention or legal hold; only the members sent are applied" },
  {
    accountId,
    liveDays: Type.Optional(Type.Integer({ description: 'Days an ended session stays live; 0 returns to the default (15)' })),
    retentionDays: Type.Optional(Type.Integer({ description: 'Days after which sessions are deleted; 0 keeps them forever' })),
    legalHold: Type.Optional(Type.Boolean({ description: 'Place (true) or lift (false) a legal hold on the whole account' })),
  },
);

export const GetSessionHold = defineDto({ name: 'GetSessionHold', namespace: NAMESPACE, description: "Gets a session's legal hold" }, { sessionId });

export const PlaceSessionHold = defineDto(
  { name: 'PlaceSessionHold', namespace: NAMESPACE, description: 'Places a legal hold on a session (idempotent; a reason sent replaces the old one)' },
  { sessionId, reason: Type.Optional(Type.String({ description: 'Why the session is held (a case number, say)' })) },
);

export const ReleaseSessionHold = defineDto({ name: 'ReleaseSessionHold', namespace: NAMESPACE, description: "Releases a session's legal hold" }, { sessionId });

/** Managers of the account and SystemAdministrators: the settings decide what gets deleted. */
const DECIDERS = { anyRole: ['Manager', 'SystemAdministrator'] } as const;

/** Longest hold reason accepted. */
const MAX_REASON_LENGTH = 1024;

const who = (caller: Caller | undefined) => caller?.userId ?? 'anonymous';

/** A day count of the API: 0 means "none" (the default live window; no retention), else ≥ 1. */
function dayCount(member: string, value: number | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    const label = member.replace(/([a-z])([A-Z])/g, '$1 $2');
    throw validationError(member, 'GreaterThanOrEqual', `'${label}' must be a whole number of days, or 0 for ${member === 'LiveDays' ? 'the default (15)' : 'none (kept forever)'}; got ${value}.`);
  }
  return value === 0 ? null : value;
}

const accountInfo = (id: string, policy: AccountPolicy) => ({ accountId: id, liveDays: policy.liveDays, retentionDays: policy.retentionDays, legalHold: policy.legalHold });

const holdInfo = (id: string, account: string, hold: SessionHold | undefined) =>
  hold ? { sessionId: id, accountId: account, held: true, reason: hold.reason, placedBy: hold.placedBy, placedAt: hold.placedAt } : { sessionId: id, accountId: account, held: false };

/**
 * Retention and legal hold, settable: an account's live window (days before an ended session is
 * archived), retention (days before sessions are deleted) and legal hold, and a session's legal
 * hold. Managers of the account and SystemAdministrators; every change audited (`lifecycle_audits`).
 */
export function lifecycleOperations(policies: LifecyclePolicies, accounts: AccountsRepository, sessions: SessionsRepository): Operation[] {
  /** The account, if the caller may see it; a foreign one and a missing one get the same answer. */
  const visibleAccount = async (caller: Caller | undefined, id: string | undefined): Promise<string> => {
    if (!id) throw validationError('AccountId', 'NotEmpty', "'Account Id' must not be empty.");
    const signed = signedIn(caller);
    if (!mayUse(signed, id) || !(await accounts.findById(id))) throw notVisible(signed, 'Account', id);
    return id;
  };
  const visibleSession = async (caller: Caller | undefined, id: string | undefined) => {
    const checked = assertSessionId(id);
    return visibleRecord(signedIn(caller), 'Session', checked, await sessions.findById(checked), (s) => [s.accountId]);
  };
  const getAccount: Operation<typeof GetAccountLifecycle> = {
    request: GetAccountLifecycle,
    response: AccountLifecycleInfo,
    routes: [{ path: '/accounts/{accountId}/lifecycle', verbs: ['GET'] }],
    access: DECIDERS,
    description: "Gets an account's live window, retention and legal hold",
    async handle(input, { caller }) {
      const id = await visibleAccount(caller, input.accountId);
      return accountInfo(id, await policies.policyOf(id));
    },
  };
  const patchAccount: Operation<typeof PatchAccountLifecycle> = {
    request: PatchAccountLifecycle,
    response: AccountLifecycleInfo,
    routes: [{ path: '/accounts/{accountId}/lifecycle', verbs: ['PATCH'] }],
    access: DECIDERS,
    description: "Changes an account's live window, retention or legal hold (audited)",
    async handle(input, { caller }) {
      const id = await visibleAccount(caller, input.accountId);
      const change = { liveDays: dayCount('LiveDays', input.liveDays), retentionDays: dayCount('RetentionDays', input.retentionDays), legalHold: input.legalHold };
      return accountInfo(id, await policies.setPolicy(id, change, who(caller)));
    },
  };
  const getHold: Operation<typeof GetSessionHold> = {
    request: GetSessionHold,
    response: SessionHoldInfo,
    routes: [{ path: '/sessions/{sessionId}/hold', verbs: ['GET'] }],
    access: DECIDERS,
    description: "Gets a session's legal hold",
    async handle(input, { caller }) {
      const found = await visibleSession(caller, input.sessionId);
      return holdInfo(found.id, found.accountId, await policies.holdOf(found.accountId, found.id));
    },
  };
  const placeHold: Operation<typeof PlaceSessionHold> = {
    request: PlaceSessionHold,
    response: SessionHoldInfo,
    routes: [{ path: '/sessions/{sessionId}/hold', verbs: ['PUT'] }],
    access: DECIDERS,
    description: 'Places a legal hold on a session (audited)',
    async handle(input, { caller }) {
      const found = await visibleSession(caller, input.sessionId);
      if (input.reason !== undefined) assertText('Reason', input.reason, MAX_REASON_LENGTH);
      return holdInfo(found.id, found.accountId, await policies.holdSession(found.accountId, found.id, who(caller), input.reason || undefined));
    },
  };
  const releaseHold: Operation<typeof ReleaseSessionHold> = {
    request: ReleaseSessionHold,
    response: SessionHoldInfo,
    routes: [{ path: '/sessions/{sessionId}/hold', verbs: ['DELETE'] }],
    access: DECIDERS,
    description: "Releases a session's legal hold (audited)",
    async handle(input, { caller }) {
      const found = await visibleSession(caller, input.sessionId);
      await policies.releaseSession(found.accountId, found.id, who(caller));
      return holdInfo(found.id, found.accountId, undefined);
    },
  };
  return [getAccount, patchAccount, getHold, placeHold, releaseHold];
}
