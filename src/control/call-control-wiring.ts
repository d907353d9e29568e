import { SessionIds } from '../events/session-id.js';
import type { OperationContext, Operation } from '../http/operation.js';
import type { SessionWriter } from '../events/session-writer.js';
import type { SessionsRepository } from '../sessions/sessions-repository.js';
import type { Store } from '../store/open-store.js';
import { AccountCredentials } from '../telephony/account-credentials.js';
import { twilioClients } from '../telephony/twilio-client.js';
import { CallControl } from './call-control.js';
import { ControlDirectory } from './control-directory.js';
import {
  type ChatEnder,
  addConferenceMemberOperation,
  endSessionOperation,
  getActiveCallsOperation,
  holdSessionOperation,
  makeConferenceOperation,
  newOutgoingSessionOperation,
  patchConferenceMemberOperation,
  recordSessionOperation,
  redirectSessionOperation,
  rejectSessionOperation,
} from './control-operations.js';
import { Reconciler } from './reconciler.js';
import { ControlLedger } from './control-ledger.js';

/** How call control reaches Twilio (config.ts: TWILIO_API_URL, TWILIO_TIMEOUT_MS, RECONCILE_AFTER_MS). */
export interface ControlOptions {
  readonly twilioApiUrl?: string;
  readonly twilioTimeoutMs?: number;
  /** Retries of Twilio's 429; default 2 (3 attempts). */
  readonly twilioMaxRetries?: number;
  readonly reconcileAfterMs?: number;
}

export const DEFAULT_CONTROL = { twilioTimeoutMs: 10_000, twilioMaxRetries: 2, reconcileAfterMs: 15_000 } as const;

/** Call control wired to the store, the shared session writer and a Twilio client per account. */
export function callControl(store: Store, sessions: SessionsRepository, writer: SessionWriter, options: ControlOptions = {}, now: () => Date = () => new Date()): CallControl {
  const clients = twilioClients({
    apiBaseUrl: options.twilioApiUrl,
    timeoutMs: options.twilioTimeoutMs ?? DEFAULT_CONTROL.twilioTimeoutMs,
    maxRetries: options.twilioMaxRetries ?? DEFAULT_CONTROL.twilioMaxRetries,
  });
  const credentials = new AccountCredentials(store.db);
  const ledger = new ControlLedger(store.db);
  const reconciler = new Reconciler({ sessions, writer, credentials, clients, ledger, afterMs: options.reconcileAfterMs ?? DEFAULT_CONTROL.reconcileAfterMs, now });
  return new CallControl({ sessions, writer, credentials, clients, directory: new ControlDirectory(store.db), ledger, reconciler, sessionIds: new SessionIds(store.db), lock: store.keyedLock, now });
}

/**
 * The call-control operations; callbacks Twilio is given point at `publicUrl`, else at the host the
 * request came to. EndSession on a chat is `chats`' to do.
 */
export function callControlOperations(control: CallControl, publicUrl: string | undefined, chats?: ChatEnder): Operation[] {
  const base = (context: OperationContext) => (publicUrl ? publicUrl.replace(/\/+$/, '') : `${context.http.protocol}://${context.http.headers.host ?? context.http.hostname}`);
  return [
    endSessionOperation(control, chats),
    holdSessionOperation(control, base),
    patchConferenceMemberOperation(control, base),
    redirectSessionOperation(control, base),
    makeConferenceOperation(control, base),
    addConferenceMemberOperation(control, base),
    rejectSessionOperation(control),
    recordSessionOperation(control, base),
    newOutgoingSessionOperation(control, base),
    getActiveCallsOperation(control),
  ];
}
