import type { Kysely } from 'kysely';
import { SESSION_KEY_SECRET } from '../../../src/events/session-id.js';
import type { Database } from '../../../src/store/schema.js';

export const ACCOUNT_ID = 'acct_acme';
export const ACCOUNT_SID = 'AC1111111111111111111111111111aaaa';
export const AUTH_TOKEN = 'primary-token-0123456789abcdef';
export const SECONDARY_TOKEN = 'secondary-token-0123456789abcdef';
export const OTHER_ACCOUNT_ID = 'acct_other';
export const OTHER_ACCOUNT_SID = 'AC2222222222222222222222222222bbbb';
export const OTHER_TOKEN = 'other-token-0123456789abcdef';
export const PUBLIC_URL = 'https://switchboard.example.com';
/**
 * The installation secret session ids are derived with, pinned so the scenarios can name their
 * sessions (in callback URLs and conference names) before they exist, and the goldens hold still.
 */
export const SESSION_KEY_SECRET_FOR_TESTS = 'test-installation-secret-0123456789abcdef';

const stamp = '2026-01-01T00:00:00.000Z';
const audited = { date_created: stamp, date_last_modified: stamp };

/** Two accounts, a customer tree, a main line, a sales line and two agents, inserted as rows. */
export async function seedDirectory(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('installation_secrets')
    .values({ name: SESSION_KEY_SECRET, value: SESSION_KEY_SECRET_FOR_TESTS })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: SESSION_KEY_SECRET_FOR_TESTS }))
    .execute();
  await db
    .insertInto('accounts')
    .values([
      { id: ACCOUNT_ID, name: 'Acme & Sons <Support>', parent_account_id: null, twilio_account_sid: ACCOUNT_SID, twilio_auth_token: AUTH_TOKEN, twilio_auth_token_secondary: SECONDARY_TOKEN, ...audited },
      { id: OTHER_ACCOUNT_ID, name: 'Other', parent_account_id: null, twilio_account_sid: OTHER_ACCOUNT_SID, twilio_auth_token: OTHER_TOKEN, twilio_auth_token_secondary: null, ...audited },
    ])
    .execute();
  await db
    .insertInto('customers')
    .values([
      { account_id: ACCOUNT_ID, id: 'cust_root', parent_customer_id: null, name: 'Acme', ...audited },
      { account_id: ACCOUNT_ID, id: 'cust_west', parent_customer_id: 'cust_root', name: 'West Region', ...audited },
    ])
    .execute();
  const endpoint = (id: string, type: string, display_name: string, extra: { phone_number?: string; identity?: string; customer_id?: string; avatar_url?: string }) => ({
    account_id: ACCOUNT_ID,
    id,
    type,
    display_name,
    customer_id: extra.customer_id ?? null,
    phone_number: extra.phone_number ?? null,
    identity: extra.identity ?? null,
    email: null,
    avatar_url: extra.avatar_url ?? null,
    ...audited,
  });
  await db
    .insertInto('endpoints')
    .values([
      endpoint('ep_main_line', 'PhoneNumber', 'Main line', { phone_number: '+15035550000', customer_id: 'cust_west' }),
      endpoint('ep_sales_line', 'PhoneNumber', 'Sales line', { phone_number: '+15035550100', customer_id: 'cust_root' }),
      endpoint('ep_agent_dana', 'User', 'Dana Agent', { identity: 'client:dana', avatar_url: 'https://example.com/a/dana.png' }),
      endpoint('ep_agent_lee', 'User', 'Lee Agent', { identity: 'client:lee' }),
    ])
    .execute();
}
