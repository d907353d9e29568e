import type { Generated } from 'kysely';

/**
 * Every table is keyed by account first, so a distributed PostgreSQL (Citus, by account_id) takes
 * this schema unchanged. Dates are ISO-8601 UTC text (`…T…Z`), which sorts as time on every store.
 */
export interface Database {
  sessions: SessionsTable;
  session_events: SessionEventsTable;
  accounts: AccountsTable;
  customers: CustomersTable;
  endpoints: EndpointsTable;
  users: UsersTable;
  user_accounts: UserAccountsTable;
  auth_sessions: AuthSessionsTable;
  api_keys: ApiKeysTable;
  auth_throttle: AuthThrottleTable;
  account_policies: AccountPoliciesTable;
  session_legal_holds: SessionLegalHoldsTable;
  deletion_audits: DeletionAuditsTable;
  deletion_audit_sessions: DeletionAuditSessionsTable;
  stream_head: StreamHeadTable;
  session_changes: SessionChangesTable;
  stream_subscriptions: StreamSubscriptionsTable;
  lifecycle_audits: LifecycleAuditsTable;
  installation_secrets: InstallationSecretsTable;
  chat_members: ChatMembersTable;
}

/** Secrets of the installation, made once by a migration and shared by every instance (session-id.ts). */
/**
 * Which chats a cell number was invited to on an endpoint: where that number's texts are looked
 * for first (src/messaging/chat-sessions.ts). A hint, not the truth: the session's folded members
 * decide, so a row left behind by a removed member or an ended chat routes nothing.
 */
export interface ChatMembersTable {
  account_id: string;
  endpoint_id: string;
  address: string;
  session_id: string;
  invited_at: string;
}

export interface InstallationSecretsTable {
  name: string;
  value: string;
}

/** A tenant. Twilio auth tokens are secrets: stored, never returned by any response. */
export interface AccountsTable {
  id: string;
  name: string;
  parent_account_id: string | null;
  twilio_account_sid: string | null;
  twilio_auth_token: string | null;
  /** The token being rotated in or out; signatures are accepted with either. */
  twilio_auth_token_secondary: string | null;
  date_created: string;
  date_last_modified: string;
}

/** A node of an account's customer tree; the breadcrumb is derived from parent links. */
export interface CustomersTable {
  account_id: string;
  id: string;
  parent_customer_id: string | null;
  name: string;
  /** A third party's id for the customer (Evo Voice's `referenceId`). Added by migration 010-directory-evo-fields: optional, so inserts written before it need not name it. */
  reference_id?: string | null;
  date_created: string;
  date_last_modified: string;
}

/** Phone numbers, users (agents), teams…: what sessions belong to and who answers them. */
export interface EndpointsTable {
  account_id: string;
  id: string;
  customer_id: string | null;
  /** PhoneNumber, User, Team, Email, Fax, EmergencyAddress, SipTrunk, AssistantBot. */
  type: string;
  display_name: string;
  /** E.164, for PhoneNumber endpoints. */
  phone_number: string | null;
  /** The agent's client identity, e.g. `client:dana`, for User endpoints. */
  identity: string | null;
  email: string | null;
  avatar_url: string | null;
  /** A third party's id for the endpoint (Evo Voice's `referenceId`). */
  reference_id?: string | null;
  /** User endpoints: SoftPhone, SipPhone or Flow (Evo Voice's `UserModes`). */
  user_mode?: string | null;
  /** User endpoints on a SIP phone: the SIP user name it registers with. */
  sip_user_name?: string | null;
  date_created: string;
  date_last_modified: string;
}

/** People who sign in. Not keyed by account: one person may work for several. */
export interface UsersTable {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  password_hash: string | null;
  /** JSON array of role names (User, Manager, SystemAdministrator, Customer, CallCenterDashboard). */
  roles: string;
  date_created: string;
  date_last_modified: string;
}

export interface UserAccountsTable {
  account_id: string;
  user_id: string;
}

export interface SessionsTable {
  account_id: string;
  id: string;
  customer_id: string | null;
  endpoint_id: string | null;
  parent_session_id: string | null;
  date_created: string | null;
  date_last_modified: string | null;
  date_completed: string | null;
  ended: number;
  channel: string | null;
  direction: string | null;
  from_address: string | null;
  to_address: string | null;
  call_sid: string | null;
  conference_sid: string | null;
  /** Bumped on every write: optimistic concurrency and cache validation. */
  version: number;
  /** The SessionInfo as its canonical JSON response: GET sends these bytes as they are. */
  document: string;
  /** 1 once the archive job moved it out of the live window; lists skip it unless searchArchive. */
  archived: Generated<number>;
}

/** The append-only ledger: every event once, by its dedupe key. */
export interface SessionEventsTable {
  seq: Generated<number>;
  account_id: string;
  session_id: string;
  dedupe_key: string;
  source: string;
  type: string;
  /** Provider timestamp, ISO-8601 UTC. */
  occurred_at: string;
  /** Provider sequence number within its source, when it has one. */
  sequence_no: number | null;
  actor: string | null;
  payload: string;
  ingested_at: string;
}

/** A signed-in session, stored by the SHA-256 of its cookie id (never the id itself). */
export interface AuthSessionsTable {
  id_hash: string;
  user_id: string;
  /** `credentials` or `basic`. */
  provider: string;
  /** 1 when signed in with rememberMe (kept under ss-pid), 0 for a browser session (ss-id). */
  permanent: number;
  created_at: string;
  expires_at: string;
}

/** A machine's key for one account; only its SHA-256 is kept, the key is shown once. */
export interface ApiKeysTable {
  account_id: string;
  id: string;
  key_hash: string;
  name: string;
  /** JSON array of role names granted to the key. */
  roles: string;
  created_by: string | null;
  date_created: string;
  date_revoked: string | null;
}

/** Failed sign-ins per key (`user:{email}|ip:{addr}`, `ip:{addr}`) in the current window. */
export interface AuthThrottleTable {
  key: string;
  failures: number;
  window_start: string;
}

/** Per-account lifecycle settings; an account without a row gets the defaults. */
export interface AccountPoliciesTable {
  account_id: string;
  /** Days an ended session stays live before it is archived (null: the default, 15). */
  live_days: number | null;
  /** Days after which sessions and their events are deleted (null: kept forever). */
  retention_days: number | null;
  /** 1: nothing of the account is deleted, by retention or by DeleteSessions. */
  legal_hold: number;
  date_last_modified: string;
}

/** A session that must not be deleted while the hold stands. */
export interface SessionLegalHoldsTable {
  account_id: string;
  session_id: string;
  placed_by: string;
  reason: string | null;
  placed_at: string;
}

/** Who deleted what: one row per DeleteSessions call or retention batch. */
export interface DeletionAuditsTable {
  seq: Generated<number>;
  account_id: string;
  /** The user id, or `retention` for the background job. */
  deleted_by: string;
  cause: 'DeleteSessions' | 'Retention';
  range_start: string | null;
  range_end: string | null;
  deleted_count: number;
  /** Sessions in the range left in place because of a legal hold. */
  held_count: number;
  occurred_at: string;
}

export interface DeletionAuditSessionsTable {
  audit_seq: number;
  account_id: string;
  session_id: string;
}

/** One row (id 1): the last stream position given out, and the last one pruned from history. */
export interface StreamHeadTable {
  id: number;
  position: number;
  pruned_through: number;
}

/** A committed change of a session, as the live stream sends it: the session after that commit. */
export interface SessionChangesTable {
  /** Commit-ordered: every row of a lower position committed before this one (change-log.ts). */
  position: number;
  account_id: string;
  session_id: string;
  /** The session row's version after the commit: per session, higher is newer. */
  version: number;
  /** The SessionInfo JSON, as GET /sessions/{id} returned it right after the commit (a deleted session: as it was last). */
  document: string;
  committed_at: string;
  /** `SessionInfo`, or `SessionDeleted`: the selector the change goes out under. */
  kind: Generated<string>;
}

/** A live stream subscription, whichever instance holds its response (server-events.ts). */
export interface StreamSubscriptionsTable {
  /** 128 random bits, base64url: the credential of heartbeats and unregisters. */
  id: string;
  user_id: string;
  api_key_id: string | null;
  /** The public Meta (JSON), answered by an unregister on any instance. */
  meta: string;
  /** Epoch ms of the last heartbeat that landed on another instance than the holder. */
  last_pulse: number;
  /** Epoch ms the holding instance last swept it: a crashed instance's rows go stale and are dropped. */
  held_at: number;
  /** Its channels (JSON ReadableChannel[]: names and the accounts each was authorized for), for lists on any instance. */
  channels: string | null;
  /** Channels asked for on another instance (JSON ReadableChannel[]), until the holder applies them. */
  pending_channels: string | null;
}

/** Who changed what of an account's lifecycle settings or a session's legal hold, and when. */
export interface LifecycleAuditsTable {
  seq: Generated<number>;
  account_id: string;
  /** Set for a session's hold; null for the account's settings. */
  session_id: string | null;
  /** The user id (or API key's), or `cli` for the command line. */
  changed_by: string;
  /** What changed, before → after: `legalHold false → true; retentionDays forever → 30`. */
  change: string;
  occurred_at: string;
}
