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
import { KeyedMutex } from './keyed-mutex.js';
import type { Expectation, Reconciler } from './reconciler.js';

/** Most calls listed per status; a contact center's live calls fit several times over. */
const MAX_ACTIVE_CALLS = 1000;

/**
 * One command to Twilio, decided from the session as it is: what to record, the request itself,
 * and what its callbacks should show (checked after the deadline).
 */
export interface CommandPlan {
  readonly request: Omit<ControlRequest, 'outcome' | 'actorName' | 'twilioCode' | 'createdCallSid'>;
  /** "the hold of CA…": used in error messages. */
  readonly what: string;
  send(client: TwilioClient): Promise<{ createdCallSid?: string } | void>;
  readonly expect?: Expectation;
}

export interface CallControlDeps {
  readonly sessions: SessionsRepository;
  readonly writer: SessionWriter;
  readonly credentials: AccountCredentials;
  readonly clients: { forAccount(credentials: TwilioCredentials): TwilioClient };
  readonly directory: ControlDirectory;
  readonly reconciler: Reconciler;
  /** Derives the session an outbound call's callbacks will open (keyed per installation: session-id.ts). */
  readonly sessionIds: SessionIds;
  readonly now: () => Date;
}

/** What a command did: the session as it is now (callbacks change it later), and whether Twilio said the call was gone. */
export interface CommandResult {
  readonly stored: StoredSession;
  /** Set when Twilio no longer had the call live; the caller decides whether that is an error. */
  readonly notActive?: ApiError;
}

/**
 * Runs call-control commands on sessions: tenant check, then per session one at a time (a hold
 * racing a hang-up is decided in one order), the desired state checked against the session before
 * anything is sent, the account's own credentials, the command recorded in the ledger with who
 * asked and how Twilio answered, Twilio's errors mapped for the client, reconciliation scheduled.
 * The session itself changes only when Twilio's callbacks (or a reconciliation) arrive.
 */
export class CallControl {
  private readonly mutex = new KeyedMutex();
  /**
   * Participant states Twilio accepted but has not confirmed by callback yet, per session and leg:
   * a second command must compare with what was asked, not with the session as it was (an unhold
   * sent while the hold's callback is on its way must still go out). Kept until the deadline, when
   * reconciliation takes over.
   */
  private readonly requested = new Map<string, { hold?: boolean; muted?: boolean; until: number }>();

  constructor(readonly deps: CallControlDeps) {}

  /**
   * @param plan the command for the session as it is now; undefined when the session already is as
   * asked (nothing is sent); throws to refuse (nothing is sent).
   */
  async run(sessionId: string | undefined, context: OperationContext, plan: (session: SessionInfo, accountId: string) => Promise<CommandPlan | CommandPlan[] | undefined>): Promise<CommandResult> {
    const id = assertSessionId(sessionId);
    const caller = signedIn(context.caller);
    return this.mutex.run(id, async () => {
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

  /** A participant's hold and mute as last asked of Twilio, else as the session shows them. */
  participantState(session: SessionInfo, callSid: string): { hold: boolean; muted: boolean } {
    const member = session.members?.find((m) => m.callSid === callSid);
    const shown = { hold: member?.callState === 'Hold', muted: member?.muted === true };
    const key = `${session.id}\n${callSid}`;
    const asked = this.requested.get(key);
    if (!asked) return shown;
    if (asked.until < Date.now() || ((asked.hold === undefined || asked.hold === shown.hold) && (asked.muted === undefined || asked.muted === shown.muted))) {
      this.requested.delete(key);
      return shown;
    }
    return { hold: asked.hold ?? shown.hold, muted: asked.muted ?? shown.muted };
  }

  private remember(sessionId: string, expectation: Expectation | undefined) {
    if (expectation?.kind !== 'participant') return;
    const key = `${sessionId}\n${expectation.callSid}`;
    const previous = this.requested.get(key);
    if (this.requested.size > 10_000) this.requested.clear();
    this.requested.set(key, {
      hold: expectation.hold ?? previous?.hold,
      muted: expectation.muted ?? previous?.muted,
      until: Date.now() + this.deps.reconciler.afterMs,
    });
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
    let created: { createdCallSid?: string } | void;
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
    let created: { createdCallSid?: string } | void;
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
    await this.deps.writer.write([this.recorded(accountId, sessionId, context, { ...plan.request, actorName, outcome: 'accepted', createdCallSid: created?.createdCallSid })]);
    this.remember(sessionId, plan.expect);
    if (plan.expect) this.deps.reconciler.schedule(accountId, sessionId, plan.expect);
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
