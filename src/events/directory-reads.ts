import type { Kysely } from 'kysely';
import { CustomersRepository } from '../directory/customers-repository.js';
import type { Database } from '../store/schema.js';
import type { Party } from './session-event.js';

export interface TwilioAccount {
  readonly id: string;
  readonly name: string;
  /** Primary first, then the one being rotated; either may sign. */
  readonly authTokens: readonly string[];
}

export interface EndpointFacts {
  readonly id: string;
  readonly type: string;
  readonly displayName: string;
  readonly identity?: string;
  readonly avatarUrl?: string;
  readonly customerId?: string;
}

export interface CustomerFacts {
  readonly customerId: string;
  readonly customerName: string;
  /** Root first, the customer itself last. */
  readonly customerBreadcrumb: readonly { id: string; name: string }[];
}

/**
 * The few read-only directory questions ingest asks, cached (the directory itself is src/directory): which
 * account a Twilio AccountSid is, which endpoint a number or client identity is, and a customer's trail.
 */
export class DirectoryReads {
  private readonly cache = new Map<string, { expires: number; value: Promise<unknown> }>();

  /**
   * @param ttlMs how long an answer is reused. Every callback asks the same few questions, and
   * the directory changes rarely: a new endpoint or a rotated token is seen within this delay.
   */
  private readonly customers: CustomersRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 5000,
  ) {
    this.customers = new CustomersRepository(db);
  }

  private memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    if (this.cache.size > 10_000) this.cache.clear();
    const value = load();
    this.cache.set(key, { expires: now + this.ttlMs, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  accountByTwilioSid(sid: string): Promise<TwilioAccount | undefined> {
    return this.memo(`sid\n${sid}`, () => this.loadAccountByTwilioSid(sid));
  }

  accountName(accountId: string): Promise<string | undefined> {
    return this.memo(`name\n${accountId}`, () => this.loadAccountName(accountId));
  }

  /** An endpoint by its phone number (E.164) or client identity (`client:dana`). */
  endpointByAddress(accountId: string, address: string): Promise<EndpointFacts | undefined> {
    return this.memo(`address\n${accountId}\n${address}`, () => this.loadEndpointByAddress(accountId, address));
  }

  endpointById(accountId: string, id: string): Promise<EndpointFacts | undefined> {
    return this.memo(`endpoint\n${accountId}\n${id}`, () => this.loadEndpointById(accountId, id));
  }

  customer(accountId: string, customerId: string): Promise<CustomerFacts | undefined> {
    return this.memo(`customer\n${accountId}\n${customerId}`, () => this.loadCustomer(accountId, customerId));
  }

  private async loadAccountByTwilioSid(sid: string): Promise<TwilioAccount | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select(['id', 'name', 'twilio_auth_token', 'twilio_auth_token_secondary'])
      .where('twilio_account_sid', '=', sid)
      .executeTakeFirst();
    if (!row) return undefined;
    const authTokens = [row.twilio_auth_token, row.twilio_auth_token_secondary].filter((t): t is string => !!t);
    return { id: row.id, name: row.name, authTokens };
  }

  private async loadAccountName(accountId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirst();
    return row?.name;
  }

  private async loadEndpointByAddress(accountId: string, address: string): Promise<EndpointFacts | undefined> {
    const row = await this.db
      .selectFrom('endpoints')
      .select(['id', 'type', 'display_name', 'identity', 'avatar_url', 'customer_id'])
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('phone_number', '=', address), eb('identity', '=', address)]))
      .orderBy('id')
      .executeTakeFirst();
    return row && endpointFacts(row);
  }

  private async loadEndpointById(accountId: string, id: string): Promise<EndpointFacts | undefined> {
    const row = await this.db
      .selectFrom('endpoints')
      .select(['id', 'type', 'display_name', 'identity', 'avatar_url', 'customer_id'])
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && endpointFacts(row);
  }

  private async loadCustomer(accountId: string, customerId: string): Promise<CustomerFacts | undefined> {
    const customer = await this.customers.findInAccount(accountId, customerId);
    if (!customer) return undefined;
    return { customerId, customerName: customer.name, customerBreadcrumb: await this.customers.breadcrumbOf(customer) };
  }

  /** A party as a member: an agent when the address is a User endpoint, a transfer target otherwise. */
  async partyFor(accountId: string, address: string | undefined): Promise<Party | undefined> {
    if (!address) return undefined;
    const endpoint = await this.endpointByAddress(accountId, address);
    if (!endpoint) return { identity: address, displayName: address, role: 'Transfer' };
    return {
      identity: address,
      endpointId: endpoint.id,
      displayName: endpoint.displayName,
      avatarUrl: endpoint.avatarUrl,
      role: endpoint.type === 'User' ? 'Agent' : 'Transfer',
    };
  }
}

function endpointFacts(row: { id: string; type: string; display_name: string; identity: string | null; avatar_url: string | null; customer_id: string | null }): EndpointFacts {
  return {
    id: row.id,
    type: row.type,
    displayName: row.display_name,
    identity: row.identity ?? undefined,
    avatarUrl: row.avatar_url ?? undefined,
    customerId: row.customer_id ?? undefined,
  };
}
