import type { SessionIds } from '../events/session-id.js';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/errors.js';
import type { OperationContext } from '../http/operation.js';
import { signedIn, visibleRecord } from '../directory/tenancy.js';
import type { SessionWriter } from '../events/session-writer.js';
import type { ControlRequest, RecordedEvent } from '../events/session-event.js';
import type { SessionInfo } from '../model/session-info.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { SessionsRepository, StoredSession } from '../sessions/sessions-repository.js';
import type { AccountCredentials } from '../telephony/account-credentials.js';
import type { TwilioClient, TwilioCredentials } from '../telephony/twilio-client.js';
import { telephonyFailure } from '../telephony/twilio-errors.js';
import type { ControlDirectory } from './control-directory.js';
import type { CallInstance, CallStatus } from 'twilio/lib/rest/api/v2010/account/call.js';
import type { Expectation, Reconciler } from './reconciler.js';
import type { ControlLedger } from './control-ledger.js';
import type { KeyedLock } from '../store/keyed-lock.js';

/** Most calls listed per status; a contact center's live calls fit several times over. */
const MAX_ACTIVE_CALLS = 1000;

/**
 * One command to Twilio, decided from the session as it is: what to record, the request itself,
 * and what its callbacks should show (checked after the deadline).
 */
export interface CommandPlan {
  readonly request: Omit<ControlRequest, 'outcome' | 'actorName' | 'twilioCode' | 'createdCallSid' | 'recordingSid'>;
  /** "the hold of CA…": used in error messages. */
  readonly what: string;
  send(client: TwilioClient): Promise<Created | void>;
  readonly expect?: Expectation;
}

export interface CallControlDeps {
  readonly sessions: SessionsRepository;
  readonly writer: SessionWriter;
  readonly credentials: AccountCredentials;
  readonly clients: { forAccount(credentials: TwilioCredentials): TwilioClient };
  readonly directory: ControlDirectory;
  readonly ledger: ControlLedger;
  readonly reconciler: Reconciler;
  /** Derives the session an outbound call's callbacks will open (keyed per installation: session-id.ts). */
  readonly sessionIds: SessionIds;
  /** The store's per-key lock: commands on one session run one at a time across instances. */
  readonly lock: KeyedLock;
  readonly now: () => Date;
}

/** What Twilio created for a command: a leg (a member dialled, an outbound call) or a recording. */
export interface Created {
  readonly createdCallSid?: string;
  readonly recordingSid?: string;
}

/** What a command did: the session as it is now (callbacks change it later), and whether Twilio said the call was gone. */
export interface CommandResult {
  readonly stored: StoredSession;
  /** Set when Twilio no longer had the call live; the caller decides whether that is an error. */
  readonly notActive?: ApiError;
}

/**
 * Runs call-control commands on sessions: tenant check, then per session one at a time across
 * instances (the store's keyed lock: a hold racing a hang-up is decided in one order), the desired
 * state checked against the session before anything is sent, the account's own credentials, the
 * command recorded in the ledger with who asked and how Twilio answered, Twilio's errors mapped
 * for the client, reconciliation scheduled.
 * The session itself changes only when Twilio's callbacks (or a reconciliation) arrive.
 */
export class CallControl {
  constructor(readonly deps: CallControlDeps) {}

  /**
   * @param plan the command for the session as it is now; undefined when the session already is as
   * asked (nothing is sent); throws to refuse (nothing is sent).
   */
  async run(sessionId: string | undefined, context: OperationContext, plan: (session: SessionInfo, accountId: string) => Promise<CommandPlan | CommandPlan[] | undefined>): Promise<CommandResult> {
    const id = assertSessionId(sessionId);
    const caller = signedIn(context.caller);
    return this.deps.lock.run(`session:${id}`, async () => {
      const found = visibleRecord(caller, 'Session', id, await this.deps.sessions.findById(id), (s) => [s.accountId]);
      const planned = await plan(JSON.parse(found.json) as SessionInfo, found.accountId);
      const plans = planned === undefined ? [] : Array.isArray(planned) ? planned : [planned];
      if (!plans.length) return { stored: found };
      const client = this.deps.clients.forAccount(await this.deps.credentials.of(found.accountId));
      const actorName = await this.deps.directory.actorNameOf(context);
      for (const one of plans) {
        const notActive = await this.send(found.accountId, id, one, client, context, actorName);
        if (notActive) return { stored: (await this.deps.sessions.findById(id)) ?? found, notActive };
      }
      return { stored: (await this.deps.sessions.findById(id)) ?? found };
    });
  }

  /**
   * A leg's hold and mute as last asked of Twilio, while its confirmation may still be on its way
   * (until the reconciliation deadline, when Twilio is asked instead), else as the session shows
   * them. Read from the ledger, so it holds whichever instance took the earlier command.
   */
  async participantState(session: SessionInfo, accountId: string, callSid: string): Promise<{ hold: boolean; muted: boolean }> {
    const member = session.members?.find((m) => m.callSid === callSid);
    const shown = { hold: member?.callState === 'Hold', muted: member?.muted === true };
    const asked = await this.deps.ledger.lastAsked(accountId, session.id!, callSid);
    const since = this.deps.now().getTime() - this.deps.reconciler.afterMs;
    return {
      hold: asked.hold && asked.hold.at >= since ? asked.hold.value : shown.hold,
      muted: asked.muted && asked.muted.at >= since ? asked.muted.value : shown.muted,
    };
  }

  /** The account's calls in the given statuses, from Twilio's Calls list (read-only: not recorded). */
  async listCalls(accountId: string, statuses: readonly CallStatus[]): Promise<CallInstance[]> {
    const client = this.deps.clients.forAccount(await this.deps.credentials.of(accountId));
    try {
      const lists = await Promise.all(statuses.map((status) => client.calls.list({ status, limit: MAX_ACTIVE_CALLS })));
      return lists.flat();
    } catch (error) {
      throw telephonyFailure(error, 'listing calls').error;
    }
  }

  /** Sends a command that has no session yet (an outbound call): recorded on the session its callbacks will open. */
  async sendNew(accountId: string, context: OperationContext, plan: CommandPlan): Promise<void> {
    const client = this.deps.clients.forAccount(await this.deps.credentials.of(accountId));
    const actorName = await this.deps.directory.actorNameOf(context);
    let created: Created | void;
    try {
      created = await plan.send(client);
    } catch (error) {
      throw telephonyFailure(error, plan.what).error;
    }
    if (created?.createdCallSid) {
      const sessionId = await this.deps.sessionIds.forKey(accountId, 'twilio', created.createdCallSid);
      await this.deps.writer.write([this.recorded(accountId, sessionId, context, { ...plan.request, actorName, outcome: 'accepted', createdCallSid: created.createdCallSid })]);
    }
  }

  /** One request to Twilio; returns the error to show when Twilio said the call was gone (after reconciling). */
  private async send(accountId: string, sessionId: string, plan: CommandPlan, client: TwilioClient, context: OperationContext, actorName: string | undefined): Promise<ApiError | undefined> {
    let created: Created | void;
    try {
      created = await plan.send(client);
    } catch (error) {
      const failure = telephonyFailure(error, plan.what);
      // Nothing reached Twilio: nothing to record beyond the answer the client gets.
      if (failure.outcome === 'unsent') throw failure.error;
      const outcome = failure.outcome === 'unknown' ? 'unknown' : 'failed';
      await this.deps.writer.write([this.recorded(accountId, sessionId, context, { ...plan.request, actorName, outcome, twilioCode: failure.twilioCode })]);
      const check = plan.expect ?? (plan.request.callSid ? ({ kind: 'call', callSid: plan.request.callSid } as const) : undefined);
      if (failure.outcome === 'notActive') {
        if (check) await this.deps.reconciler.now(accountId, sessionId, check, `Twilio answered ${failure.twilioCode ?? 'not found'}`);
        return failure.error;
      }
      // The change may still happen: look again once its callback is due.
      if (failure.outcome === 'unknown' && check) this.deps.reconciler.schedule(accountId, sessionId, check);
      throw failure.error;
    }
    await this.deps.writer.write([this.recorded(accountId, sessionId, context, { ...plan.request, actorName, outcome: 'accepted', createdCallSid: created?.createdCallSid, recordingSid: created?.recordingSid })]);
    // A recording is known by the SID Twilio answered with: its callbacks are due from then on.
    const expect = plan.expect ?? (created?.recordingSid && plan.request.callSid ? ({ kind: 'recording', callSid: plan.request.callSid, recordingSid: created.recordingSid } as const) : undefined);
    if (expect) this.deps.reconciler.schedule(accountId, sessionId, expect);
    return undefined;
  }

  private recorded(accountId: string, sessionId: string, context: OperationContext, request: ControlRequest): RecordedEvent {
    return {
      accountId,
      sessionId,
      dedupeKey: `api:${randomUUID()}`,
      source: 'api',
      occurredAt: this.deps.now().toISOString(),
      sequence: null,
      actor: context.caller?.userId ?? 'system',
      event: { type: 'ControlRequested', ...request },
    };
  }
}
