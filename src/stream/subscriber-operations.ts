import { Type } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { signedIn } from '../directory/tenancy.js';
import { ResponseStatus } from '../model/response-status.js';
import { ApiError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import { formatOf } from '../http/register-operations.js';
import { StoredBody } from '../http/stored-body.js';
import { channelNames, type ChannelAuthority } from './channels.js';
import type { ServerEvents } from './server-events.js';
import { ownedBy } from './stream-routes.js';

const NAMESPACE = 'ServiceStack';

export const GetEventSubscribers = defineDto(
  { name: 'GetEventSubscribers', namespace: NAMESPACE, description: 'The subscribers of channels the caller may read' },
  {
    channels: Type.Optional(Type.Array(Type.String(), { description: 'Channels, e.g. account:acct_1; none means *' })),
    channel: Type.Optional(Type.String({ description: 'One channel (legacy)' })),
  },
);

const ServerEventUser = defineDto(
  { name: 'ServerEventUser', namespace: NAMESPACE },
  {
    userId: Type.Optional(Type.String()),
    isAuthenticated: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    channels: Type.Optional(Type.String()),
    createdAt: Type.Optional(Type.String()),
    profileUrl: Type.Optional(Type.String()),
  },
);

/** JSON clients get ServiceStack's bare array; XML and CSV need an object, so they get it wrapped. */
export const GetEventSubscribersResponse = defineDto({ name: 'GetEventSubscribersResponse', namespace: NAMESPACE }, { subscribers: Type.Array(ServerEventUser.schema) });

export const UpdateEventSubscriber = defineDto(
  { name: 'UpdateEventSubscriber', namespace: NAMESPACE, description: "Adds and removes channels of the caller's live subscription" },
  {
    id: Type.Optional(Type.String({ description: 'The subscription id (onConnect `id`)' })),
    subscribeChannels: Type.Optional(Type.Array(Type.String())),
    unsubscribeChannels: Type.Optional(Type.Array(Type.String())),
  },
);

export const UpdateEventSubscriberResponse = defineDto({ name: 'UpdateEventSubscriberResponse', namespace: NAMESPACE }, { responseStatus: Type.Optional(ResponseStatus.schema) });

/** GET /event-subscribers: the Meta of live subscriptions in the channels named, each of which the caller must be allowed to read. */
export function getEventSubscribersOperation(events: ServerEvents, authority: ChannelAuthority): Operation<typeof GetEventSubscribers> {
  return {
    request: GetEventSubscribers,
    response: GetEventSubscribersResponse,
    routes: [{ path: '/event-subscribers', verbs: ['GET'] }],
    description: 'The subscribers of channels the caller may read (ServiceStack server events)',
    async handle({ channels, channel }, context) {
      const caller = signedIn(context.caller);
      const http = context.http;
      const readable = await authority.readable(caller, channelNames(channels, channel), Number.MAX_SAFE_INTEGER);
      const subscribers = await events.list(readable);
      return formatOf(http) === 'json' ? new StoredBody(JSON.stringify(subscribers)) : { subscribers };
    },
  };
}

/**
 * POST /event-subscribers/{id}: changes a live subscription's channels, on whichever instance holds
 * it. Only its owner may (another caller's and a missing id are the same 404); every channel added
 * must be readable (403, nothing changed). Answers once the change is in effect on the holder.
 */
export function updateEventSubscriberOperation(events: ServerEvents, authority: ChannelAuthority): Operation<typeof UpdateEventSubscriber> {
  return {
    request: UpdateEventSubscriber,
    response: UpdateEventSubscriberResponse,
    routes: [{ path: '/event-subscribers/{id}', verbs: ['POST'] }],
    description: "Adds and removes channels of the caller's live subscription (ServiceStack server events)",
    async handle({ id, subscribeChannels = [], unsubscribeChannels = [] }, context) {
      const caller = signedIn(context.caller);
      const notFound = () => new ApiError('NotFound', `Subscription '${(id ?? '').slice(0, 64)}' does not exist`);
      const held = id ? events.get(id) : undefined;
      if (held && !ownedBy(held, caller)) throw notFound();
      // Held by another instance (no load-balancer affinity): its row has the channels, its holder applies the change.
      const current = held?.channels ?? (id ? await events.registry.channelsOf(id, caller) : undefined);
      if (!id || !current) throw notFound();
      const added = namesIn(subscribeChannels);
      const removed = new Set(namesIn(unsubscribeChannels));
      const kept = current.filter((c) => !removed.has(c.name) && !added.includes(c.name));
      const fresh = await authority.readable(caller, added.filter((n) => !removed.has(n)), events.limits.maxChannels);
      const next = [...kept, ...fresh];
      if (next.length > events.limits.maxChannels) throw new ApiError('BadRequest', `A subscription may follow at most ${events.limits.maxChannels} channels`);
      if (!next.length) throw new ApiError('BadRequest', 'A subscription must keep at least one channel; unregister it instead');
      if (held) {
        await events.update(held, next);
        return {};
      }
      const outcome = await events.updateElsewhere(id, next);
      if (outcome === 'gone') throw notFound();
      if (outcome === 'timeout') throw new ApiError('ServiceUnavailable', `The instance holding subscription '${id.slice(0, 64)}' did not apply the change in time; try again`);
      return {};
    },
  };
}

/** `['a,b', 'c']` → `['a', 'b', 'c']`: the JS client sends arrays, ss-utils comma lists. */
const namesIn = (lists: readonly string[]) => [...new Set(lists.flatMap((l) => l.split(',')).map((n) => n.trim()).filter(Boolean))];
