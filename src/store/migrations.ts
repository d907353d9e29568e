import { sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { newInstallationSecret, SESSION_KEY_SECRET } from '../events/session-id.js';
import { runStatements } from '../search/search-schema.js';
import type { StoreCapabilities } from './capabilities.js';

/**
 * Migrations are code, one SQL text for every store; where stores differ the difference is a
 * capability chosen once (see capabilities.ts), never a dialect check here. The text search's
 * steps are its engine's frozen SQL (`caps.searchSchema`), run as they always ran.
 */
export function migrations(caps: StoreCapabilities): Record<string, Migration> {
  return {
    '001-sessions-and-ledger': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sessions')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('customer_id', 'text')
          .addColumn('endpoint_id', 'text')
          .addColumn('parent_session_id', 'text')
          .addColumn('date_created', 'text')
          .addColumn('date_last_modified', 'text')
          .addColumn('date_completed', 'text')
          .addColumn('ended', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('channel', 'text')
          .addColumn('direction', 'text')
          .addColumn('from_address', 'text')
          .addColumn('to_address', 'text')
          .addColumn('call_sid', 'text')
          .addColumn('conference_sid', 'text')
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('document', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('sessions_pk', ['account_id', 'id'])
          .execute();
        // GET /sessions/{id} arrives without its account; ids are unique by construction (import checks).
        await db.schema.createIndex('sessions_id').on('sessions').column('id').execute();
        for (const column of ['date_created', 'customer_id', 'endpoint_id', 'parent_session_id', 'call_sid', 'conference_sid', 'ended']) {
          const columns = column === 'date_created' ? ['account_id', 'date_created'] : ['account_id', column, 'date_created'];
          await db.schema.createIndex(`sessions_${column}`).on('sessions').columns(columns).execute();
        }

        await caps
          .withSerialKey(db.schema.createTable('session_events'), 'seq')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('dedupe_key', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .addColumn('sequence_no', 'integer')
          .addColumn('actor', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('ingested_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('session_events_dedupe', ['account_id', 'dedupe_key'])
          .execute();
        await db.schema
          .createIndex('session_events_session')
          .on('session_events')
          .columns(['account_id', 'session_id', 'occurred_at'])
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('session_events').execute();
        await db.schema.dropTable('sessions').execute();
      },
    },
    '002-directory': {
      async up(db: Kysely<unknown>) {
        const audited = <T extends string>(t: CreateTableBuilder<T, never>) =>
          t.addColumn('date_created', 'text', (c) => c.notNull()).addColumn('date_last_modified', 'text', (c) => c.notNull());
        await audited(
          db.schema
            .createTable('accounts')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('name', 'text', (c) => c.notNull())
            .addColumn('parent_account_id', 'text')
            .addColumn('twilio_account_sid', 'text')
            .addColumn('twilio_auth_token', 'text')
            .addColumn('twilio_auth_token_secondary', 'text'),
        ).execute();
        await db.schema.createIndex('accounts_twilio_sid').on('accounts').column('twilio_account_sid').execute();

        await audited(
          db.schema
            .createTable('customers')
            .addColumn('account_id', 'text', (c) => c.notNull())
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('parent_customer_id', 'text')
            .addColumn('name', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('customers_pk', ['account_id', 'id']),
        ).execute();
        await db.schema.createIndex('customers_parent').on('customers').columns(['account_id', 'parent_customer_id']).execute();

        await audited(
          db.schema
            .createTable('endpoints')
            .addColumn('account_id', 'text', (c) => c.notNull())
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('customer_id', 'text')
            .addColumn('type', 'text', (c) => c.notNull())
            .addColumn('display_name', 'text', (c) => c.notNull())
            .addColumn('phone_number', 'text')
            .addColumn('identity', 'text')
            .addColumn('email', 'text')
            .addColumn('avatar_url', 'text')
            .addPrimaryKeyConstraint('endpoints_pk', ['account_id', 'id']),
        ).execute();
        await db.schema.createIndex('endpoints_phone').on('endpoints').columns(['account_id', 'phone_number']).execute();
        await db.schema.createIndex('endpoints_identity').on('endpoints').columns(['account_id', 'identity']).execute();
        await db.schema.createIndex('endpoints_id').on('endpoints').column('id').execute();

        await audited(
          db.schema
            .createTable('users')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('email', 'text', (c) => c.notNull().unique())
            .addColumn('first_name', 'text')
            .addColumn('last_name', 'text')
            .addColumn('display_name', 'text')
            .addColumn('password_hash', 'text')
            .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]')),
        ).execute();
        await db.schema
          .createTable('user_accounts')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('user_accounts_pk', ['account_id', 'user_id'])
          .execute();
        await db.schema.createIndex('user_accounts_user').on('user_accounts').column('user_id').execute();
      },
      async down(db: Kysely<unknown>) {
        for (const table of ['user_accounts', 'users', 'endpoints', 'customers', 'accounts']) await db.schema.dropTable(table).execute();
      },
    },
    '003-auth': {
      async up(db: Kysely<unknown>) {
        // Sessions are stored by the SHA-256 of their cookie id: a copy of the table signs nobody in.
        await db.schema
          .createTable('auth_sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('permanent', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('date_created', 'text', (c) => c.notNull())
          .addColumn('date_revoked', 'text')
          .addPrimaryKeyConstraint('api_keys_pk', ['account_id', 'id'])
          .execute();
        await db.schema.createIndex('api_keys_id').on('api_keys').column('id').execute();

        await db.schema
          .createTable('auth_throttle')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('window_start', 'text', (c) => c.notNull())
          .execute();

        // GET /customers/{id} arrives without its account, as GET /endpoints/{id} does.
        await db.schema.createIndex('customers_id').on('customers').column('id').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('customers_id').execute();
        for (const table of ['auth_throttle', 'api_keys', 'auth_sessions']) await db.schema.dropTable(table).execute();
      },
    },
    '004-session-lists': {
      async up(db: Kysely<unknown>) {
        // Archived sessions stay in the table (GET by id still finds them) but leave the live indexes'
        // hot range: every list query without searchArchive reads `archived = 0` first.
        await db.schema.alterTable('sessions').addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // List indexes cover what a page sorts and filters on (date, id tie-break, archived), so
        // counting and slicing thousands of matches never reads a row; they replace 001's narrower ones.
        for (const column of ['date_created', 'customer_id', 'endpoint_id', 'parent_session_id']) {
          await db.schema.dropIndex(`sessions_${column}`).execute();
          const leading = column === 'date_created' ? ['account_id'] : ['account_id', column];
          await db.schema.createIndex(`sessions_list_${column}`).on('sessions').columns([...leading, 'date_created', 'id', 'archived']).execute();
        }
        await db.schema.createIndex('sessions_list_all_accounts').on('sessions').columns(['date_created', 'id', 'archived']).execute();
        await db.schema.createIndex('sessions_unended').on('sessions').columns(['account_id', 'date_created']).where(sql.ref('ended'), '=', 0).execute();
        await runStatements(db, caps.searchSchema.wholeLogIndex.up);

        await db.schema
          .createTable('account_policies')
          .addColumn('account_id', 'text', (c) => c.primaryKey())
          .addColumn('live_days', 'integer')
          .addColumn('retention_days', 'integer')
          .addColumn('legal_hold', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('date_last_modified', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('session_legal_holds')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('placed_by', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('placed_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('session_legal_holds_pk', ['account_id', 'session_id'])
          .execute();
        await caps
          .withSerialKey(db.schema.createTable('deletion_audits'), 'seq')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('deleted_by', 'text', (c) => c.notNull())
          .addColumn('cause', 'text', (c) => c.notNull())
          .addColumn('range_start', 'text')
          .addColumn('range_end', 'text')
          .addColumn('deleted_count', 'integer', (c) => c.notNull())
          .addColumn('held_count', 'integer', (c) => c.notNull())
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('deletion_audits_account').on('deletion_audits').columns(['account_id', 'occurred_at']).execute();
        await db.schema
          .createTable('deletion_audit_sessions')
          .addColumn('audit_seq', 'integer', (c) => c.notNull())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('deletion_audit_sessions_seq').on('deletion_audit_sessions').columns(['audit_seq']).execute();
      },
      async down(db: Kysely<unknown>) {
        for (const table of ['deletion_audit_sessions', 'deletion_audits', 'session_legal_holds', 'account_policies']) await db.schema.dropTable(table).execute();
      },
    },
    '005-search-log-chunks': {
      async up(db: Kysely<unknown>) {
        // Log text indexed once per appended batch of lines, by account and archive state (see
        // src/search/sqlite/README.md); converts the whole-log index built before, existing sessions included.
        await runStatements(db, caps.searchSchema.logChunks.up);
      },
      async down(db: Kysely<unknown>) {
        await runStatements(db, caps.searchSchema.logChunks.down);
      },
    },
    '006-search-subtree-index': {
      async up(db: Kysely<unknown>) {
        // A customer subtree lists a handful of customers at once; with `archived` before the date,
        // a live list (the default) reads only each customer's live sessions instead of skipping
        // over its archive (a region of the busiest account: ~9,300 live of ~56,000 entries).
        await db.schema.dropIndex('sessions_list_customer_id').execute();
        await db.schema.createIndex('sessions_list_customer_id').on('sessions').columns(['account_id', 'customer_id', 'archived', 'date_created', 'id']).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('sessions_list_customer_id').execute();
        await db.schema.createIndex('sessions_list_customer_id').on('sessions').columns(['account_id', 'customer_id', 'date_created', 'id', 'archived']).execute();
      },
    },
    '007-search-deferred-index': {
      async up(db: Kysely<unknown>) {
        // Search indexing leaves the write's transaction for a background indexer's batches (see
        // src/search/sqlite/README.md): half of durable ingest's CPU was FTS5 writing one segment per commit.
        await runStatements(db, caps.searchSchema.deferredIndexing.up);
      },
      async down(db: Kysely<unknown>) {
        await runStatements(db, caps.searchSchema.deferredIndexing.down);
      },
    },
    '008-drop-unused-session-indexes': {
      async up(db: Kysely<unknown>) {
        // No query reads sessions by call or conference SID (a callback finds its session by the id
        // derived from its SID), yet every new session wrote an entry in each.
        for (const column of UNUSED_SESSION_INDEXES) await db.schema.dropIndex(`sessions_${column}`).execute();
      },
      async down(db: Kysely<unknown>) {
        for (const column of UNUSED_SESSION_INDEXES) await db.schema.createIndex(`sessions_${column}`).on('sessions').columns(['account_id', column, 'date_created']).execute();
      },
    },
    '009-search-read-text-once': {
      async up(db: Kysely<unknown>) {
        // Noting a log write read both versions of the document's log ~10 times, indexing a note
        // its new lines twice (see src/search/sqlite/schema/read-text-once.ts); now once each.
        await runStatements(db, caps.searchSchema.readTextOnce.up);
      },
      async down(db: Kysely<unknown>) {
        await runStatements(db, caps.searchSchema.readTextOnce.down);
      },
    },
    '010-directory-evo-fields': {
      // Evo Voice's directory filters and Info types (issue 15): third-party reference ids on
      // customers and endpoints, and a User endpoint's mode and SIP user name. Directory tables hold
      // thousands of rows, not millions: the filters scan an account's rows, so no new index.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('customers').addColumn('reference_id', 'text').execute();
        for (const column of ['reference_id', 'user_mode', 'sip_user_name']) {
          await db.schema.alterTable('endpoints').addColumn(column, 'text').execute();
        }
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('customers').dropColumn('reference_id').execute();
        for (const column of ['reference_id', 'user_mode', 'sip_user_name']) {
          await db.schema.alterTable('endpoints').dropColumn(column).execute();
        }
      },
    },
    '011-stream-changes': {
      async up(db: Kysely<unknown>) {
        // The live stream's ledger (src/stream/change-log.ts): one row per session per commit, the
        // session as it stood after that commit, at a position given out under the one `stream_head`
        // row's lock, so positions are in commit order on every store (a sequence is not, on PostgreSQL).
        await db.schema
          .createTable('stream_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('position', 'bigint', (c) => c.notNull())
          .addColumn('pruned_through', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('session_changes')
          .addColumn('position', 'bigint', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('document', 'text', (c) => c.notNull())
          .addColumn('committed_at', 'text', (c) => c.notNull())
          .execute();
        // A resume reads one account's changes after a position; pruning reads by time.
        await db.schema.createIndex('session_changes_account').on('session_changes').columns(['account_id', 'position']).execute();
        // Live subscriptions, so a heartbeat or unregister that lands on another instance finds its own.
        await db.schema
          .createTable('stream_subscriptions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('api_key_id', 'text')
          .addColumn('meta', 'text', (c) => c.notNull())
          .addColumn('last_pulse', 'bigint', (c) => c.notNull())
          .addColumn('held_at', 'bigint', (c) => c.notNull())
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('stream_subscriptions').execute();
        await db.schema.dropTable('session_changes').execute();
        await db.schema.dropTable('stream_head').execute();
      },
    },
    '012-lifecycle-audits': {
      async up(db: Kysely<unknown>) {
        // Who changed an account's live window, retention or legal hold, or a session's hold, and
        // when: the settings that decide what gets deleted are audited like the deletions.
        await caps
          .withSerialKey(db.schema.createTable('lifecycle_audits'), 'seq')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text')
          .addColumn('changed_by', 'text', (c) => c.notNull())
          .addColumn('change', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('lifecycle_audits_account').on('lifecycle_audits').columns(['account_id', 'occurred_at']).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('lifecycle_audits').execute();
      },
    },
    '013-twilio-account-sid-unique': {
      async up(db: Kysely<unknown>) {
        // A Twilio account SID belongs to one account: its callbacks are found by SID, and a second
        // holder could take them (issue 13). A SID held by several accounts cannot be attributed
        // here (the other holder chose its own token), so it is cleared on all of them: their
        // callbacks are refused until a SystemAdministrator sets it on the right account, rather
        // than land in the wrong tenant. An empty SID is no SID.
        const accounts = db as Kysely<{ accounts: { twilio_account_sid: string | null } }>;
        await accounts.updateTable('accounts').set({ twilio_account_sid: null }).where('twilio_account_sid', '=', '').execute();
        await accounts
          .updateTable('accounts')
          .set({ twilio_account_sid: null })
          .where('twilio_account_sid', 'in', (eb) =>
            eb.selectFrom('accounts').select('twilio_account_sid').where('twilio_account_sid', 'is not', null).groupBy('twilio_account_sid').having((h) => h.fn.countAll(), '>', 1),
          )
          .execute();
        await db.schema.createIndex('accounts_twilio_account_sid').on('accounts').column('twilio_account_sid').unique().execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('accounts_twilio_account_sid').execute();
      },
    },
    '014-session-key-secret': {
      async up(db: Kysely<unknown>) {
        // Derived session ids are keyed with this, so no tenant can compute another's (session-id.ts).
        // A call in progress while an existing installation upgrades gets a new session for the
        // callbacks after the upgrade.
        await db.schema
          .createTable('installation_secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        await (db as Kysely<{ installation_secrets: { name: string; value: string } }>)
          .insertInto('installation_secrets')
          .values({ name: SESSION_KEY_SECRET, value: newInstallationSecret() })
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('installation_secrets').execute();
      },
    },
    '015-chat-conversation-indexes': {
      async up(db: Kysely<unknown>) {
        // Every inbound text looks up its party's chat on the endpoint (src/messaging): without these
        // it walked all of the endpoint's sessions, so a number's 1,000th chat cost 1,000 rows
        // (bench/messaging). Partial: voice sessions, nearly every row, write nothing here.
        for (const [name, column] of [
          ['sessions_chat_from', 'from_address'],
          ['sessions_chat_to', 'to_address'],
        ] as const) {
          await db.schema.createIndex(name).on('sessions').columns(['account_id', 'endpoint_id', column, 'date_created']).where(sql.ref('channel'), '=', sql.lit('Chat')).execute();
        }
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('sessions_chat_from').execute();
        await db.schema.dropIndex('sessions_chat_to').execute();
      },
    },
    '016-chat-members': {
      async up(db: Kysely<unknown>) {
        // A text from an invited cell number joins the chat it was invited to: every inbound text
        // asks this table first, by its primary key's prefix (one index probe, almost always empty).
        await db.schema
          .createTable('chat_members')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('invited_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('chat_members_pk', ['account_id', 'endpoint_id', 'address', 'session_id'])
          .execute();
        // Deleting a session (retention, DeleteSessions) deletes its rows by session.
        await db.schema.createIndex('chat_members_session').on('chat_members').columns(['account_id', 'session_id']).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('chat_members').execute();
      },
    },
    '017-stream-edges': {
      async up(db: Kysely<unknown>) {
        // What a change is (src/stream/change-log.ts): a SessionInfo (ingest, import, archive) or a
        // SessionDeleted (DeleteSessions, retention), each sent under its own selector.
        await db.schema.alterTable('session_changes').addColumn('kind', 'text', (c) => c.notNull().defaultTo('SessionInfo')).execute();
        // A subscription's channels with the accounts each was authorized for, so any instance lists
        // it (GetEventSubscribers) with the tenant rules; and a channel change asked for on another
        // instance than the holder's, until the holder has applied it (UpdateEventSubscriber).
        await db.schema.alterTable('stream_subscriptions').addColumn('channels', 'text').execute();
        await db.schema.alterTable('stream_subscriptions').addColumn('pending_channels', 'text').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('stream_subscriptions').dropColumn('pending_channels').execute();
        await db.schema.alterTable('stream_subscriptions').dropColumn('channels').execute();
        await db.schema.alterTable('session_changes').dropColumn('kind').execute();
      },
    },
  };
}

const UNUSED_SESSION_INDEXES = ['call_sid', 'conference_sid'] as const;

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly all: Record<string, Migration>) {}
  async getMigrations() {
    return this.all;
  }
}

export { sql };
