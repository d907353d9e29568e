import type { Kysely } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { Caller } from '../http/operation.js';
import type { Database } from '../store/schema.js';

/**
 * What a channel follows: every session the caller may read (`*`), an account's, a customer's and
 * its whole subtree's, an endpoint's (a number's, or an agent's: answered by, queued to or a member),
 * or one session's.
 */
export const CHANNEL_KINDS = ['account', 'customer', 'endpoint', 'session'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * `{kind}:{id}`: characters the npm and C# clients put in a URL unencoded and ServiceStack accepts in
 * a channel name (no space, `,`, `@`, `&`, `#`, `%`; server-events.md §5.1).
 */
const CHANNEL = /^(account|customer|endpoint|session):([A-Za-z0-9_.:-]{1,128})$/;

/** A channel the caller was found to be allowed to read, with the account(s) it lies in. */
export interface ReadableChannel {
  readonly name: string;
  readonly kind: ChannelKind | 'all';
  readonly id: string;
  /** The accounts whose changes can match: 'all' only for `*` of a caller who sees every account. */
  readonly accountIds: readonly string[] | 'all';
}

/** What a change is about, worked out once per change and matched against every channel. */
export interface ChangeFacts {
  readonly accountId: string;
  readonly sessionId: string;
  /** The session's customer and its ancestors, nearest first. */
  readonly customerPath: readonly string[];
  readonly endpointIds: ReadonlySet<string>;
}

export function matches(channel: ReadableChannel, facts: ChangeFacts): boolean {
  if (channel.accountIds !== 'all' && !channel.accountIds.includes(facts.accountId)) return false;
  switch (channel.kind) {
    case 'all':
    case 'account':
      return true;
    case 'customer':
      return facts.customerPath.includes(channel.id);
    case 'endpoint':
      return facts.endpointIds.has(channel.id);
    case 'session':
      return facts.sessionId === channel.id;
  }
}

/** Parses `a,b` lists as ServiceStack does (`channels` and `channel` merged, none → `*`), without duplicates. */
export function channelNames(...lists: (string | readonly string[] | undefined)[]): string[] {
  const names = lists.flatMap((list) => (list === undefined ? [] : typeof list === 'string' ? list.split(',') : list.flatMap((l) => l.split(','))));
  const trimmed = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  return trimmed.length ? trimmed : ['*'];
}

/**
 * Decides which channels a caller may read: 400 for a name that is not a Switchboard channel, 403
 * (a `ResponseStatus` naming it) for one the caller may not read, whether it is foreign or missing,
 * so ids cannot be probed across accounts. Fails closed: one forbidden channel refuses the request.
 */
export class ChannelAuthority {
  constructor(private readonly db: Kysely<Database>) {}

  async readable(caller: Caller, names: readonly string[], maxChannels: number): Promise<ReadableChannel[]> {
    if (names.length > maxChannels) {
      throw new ApiError('BadRequest', `A subscription may follow at most ${maxChannels} channels, ${names.length} were asked for`);
    }
    const channels: ReadableChannel[] = [];
    for (const name of names) channels.push(await this.channel(caller, name));
    return channels;
  }

  private async channel(caller: Caller, name: string): Promise<ReadableChannel> {
    if (name === '*') return { name, kind: 'all', id: '*', accountIds: caller.accountIds };
    const parsed = CHANNEL.exec(name);
    if (!parsed) {
      throw new ApiError('BadRequest', `'${name.slice(0, 200)}' is not a channel: use *, or account:, customer:, endpoint: or session: and an id of letters, digits and _ . : -`);
    }
    const kind = parsed[1] as ChannelKind;
    const id = parsed[2]!;
    const owners = await this.ownersOf(kind, id);
    const readable = caller.accountIds === 'all' ? owners : owners.filter((a) => (caller.accountIds as readonly string[]).includes(a));
    if (!readable.length) throw new ApiError('Forbidden', `Channel '${name}' does not exist or is not in your accounts`);
    return { name, kind, id, accountIds: readable };
  }

  /** The accounts holding a record of that id (ids of customers and endpoints are per account). */
  private async ownersOf(kind: ChannelKind, id: string): Promise<string[]> {
    const table = kind === 'account' ? 'accounts' : kind === 'customer' ? 'customers' : kind === 'endpoint' ? 'endpoints' : 'sessions';
    if (table === 'accounts') {
      const row = await this.db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst();
      return row ? [row.id] : [];
    }
    const rows = await this.db.selectFrom(table).select('account_id').where('id', '=', id).execute();
    return rows.map((r) => r.account_id);
  }
}
