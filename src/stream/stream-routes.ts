import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CREDENTIALS_CHALLENGE } from '../auth/authenticator.js';
import type { UsersRepository } from '../directory/users-repository.js';
import { ApiError } from '../http/errors.js';
import type { Caller } from '../http/operation.js';
import type { AuthenticateRequest } from '../http/register-operations.js';
import { openEventStream } from '../http/sse.js';
import { channelNames, type ChannelAuthority } from './channels.js';
import type { ServerEvents } from './server-events.js';
import type { Subscription } from './subscription.js';
import { QUERY_CREDENTIALS } from '../http/secrets.js';

export interface StreamRouteOptions {
  readonly authenticate: AuthenticateRequest;
  /** The base URL clients reach us on (PUBLIC_URL); else the request's own scheme and host. */
  readonly publicUrl?: string;
}

type Query = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * ServiceStack's raw server-events handlers (server-events.md §1.1): the stream, heartbeats and
 * unregistering. The two subscriber operations are ordinary operations (subscriber-operations.ts).
 */
export function registerStreamRoutes(app: FastifyInstance, events: ServerEvents, authority: ChannelAuthority, users: UsersRepository, options: StreamRouteOptions): void {
  const baseUrl = (request: FastifyRequest) => options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;

  // Ends open streams before the server waits for its connections to finish.
  app.addHook('preClose', async () => events.close());

  // The one route that takes an API key in its URL (see callerOf); every other refuses one.
  app.get('/event-stream', { config: { [QUERY_CREDENTIALS]: true } }, async (request, reply) => {
    const query = request.query as Query;
    const caller = await callerOf(request, options.authenticate, true);
    if (!caller) return challenge(reply);
    const channels = await authority.readable(caller, channelNames(query.channels, query.channel), events.limits.maxChannels);
    if (events.subscriptionsOf(caller) >= events.limits.maxSubscriptions) {
      throw new ApiError('TooManyRequests', `At most ${events.limits.maxSubscriptions} open subscriptions per user or API key`);
    }
    const resumeFrom = lastEventIdOf(request);
    const head = await events.head();
    // Older than the history kept, or a position this store never gave out (a restored database):
    // nothing can be replayed faithfully, so the client is told to re-read, then gets what follows.
    const resync = resumeFrom !== undefined && (resumeFrom < head.prunedThrough || resumeFrom > head.position);
    // Fresh or resynced, the stream goes on from the position onConnect names.
    const after = resumeFrom === undefined || resync ? head.position : resumeFrom;
    const displayName = await displayNameOf(caller, users);
    const stream = openEventStream(reply, events.limits.maxQueuedBytes);
    const onConnect = (subscription: Subscription) => {
      stream.send('cmd.onConnect', JSON.stringify(connectInfo(subscription, baseUrl(request), events, head.position)));
      if (resync) stream.send('cmd.onResync', JSON.stringify({ lastEventId: String(resumeFrom), oldestEventId: String(head.prunedThrough + 1), streamPosition: String(head.position) }));
    };
    // The response is already ours (hijacked): a failure now can only end it; the client resumes.
    await events.add(caller, channels, displayName, stream, onConnect, after).catch((error: unknown) => {
      request.log.error({ err: error }, 'event stream failed');
      stream.end();
    });
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/event-heartbeat',
    handler: async (request, reply) => {
      const { id, subscription, caller } = await subscriptionOf(request, events, options.authenticate);
      // Held by another instance (a load balancer without affinity): the pulse is recorded, and the
      // holder nudged to push cmd.onHeartbeat down the stream (at the latest at its next sweep).
      if (subscription) events.pulse(subscription);
      else if (!(await events.pulseElsewhere(id, caller))) throw unknown(id);
      return reply.code(200).header('content-type', 'text/plain').send('');
    },
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/event-unregister',
    handler: async (request, reply) => {
      const { id, subscription, caller } = await subscriptionOf(request, events, options.authenticate);
      if (subscription) await events.unregister(subscription);
      // Held by another instance: its row goes now, its stream at that instance's next sweep.
      const meta = subscription?.meta() ?? (await events.registry.unregister(id, caller));
      if (!meta) throw unknown(id);
      return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(meta));
    },
  });
}

/**
 * The signed-in caller, or undefined. Clients that cannot send cookies or headers on the stream
 * (Node's EventSource, a browser on another site) may put an API key on its URL instead, as
 * `?ss-tok=`, `?apikey=` or `?bearerToken=` (`stream` only: URLs are logged, keys are better kept out).
 */
async function callerOf(request: FastifyRequest, authenticate: AuthenticateRequest, acceptQueryToken: boolean): Promise<Caller | undefined> {
  if (acceptQueryToken && request.headers.authorization === undefined) {
    const query = request.query as Query;
    const token = first(query['ss-tok']) ?? first(query.apikey) ?? first(query.bearerToken);
    if (token) request.headers.authorization = `Bearer ${token}`;
  }
  try {
    return await authenticate(request);
  } catch (error) {
    // Credentials refused (a `{challenge}`): as good as none here; anything else is a real failure.
    if (typeof (error as { challenge?: unknown } | null)?.challenge === 'string') return undefined;
    throw error;
  }
}

/** ServiceStack's short-circuited 401: no body, a challenge. */
function challenge(reply: FastifyReply) {
  reply.raw.statusMessage = 'Unauthorized';
  return reply.code(401).header('www-authenticate', CREDENTIALS_CHALLENGE).send();
}

/**
 * The subscription `?id=` names, if this instance holds it and the request may act on it: the id
 * (128 random bits) is the credential, as Node clients' heartbeats carry no cookies; a request that
 * is signed in must be signed in as the subscription's owner. A subscription held here but not the
 * caller's is the same 404 as an id that never existed; one not held here may be another instance's.
 */
async function subscriptionOf(request: FastifyRequest, events: ServerEvents, authenticate: AuthenticateRequest): Promise<{ id: string; subscription?: Subscription; caller?: Caller }> {
  const id = first((request.query as Query).id);
  if (!id) throw unknown('');
  const caller = await callerOf(request, authenticate, false);
  const subscription = events.get(id);
  if (subscription && caller && !ownedBy(subscription, caller)) throw unknown(id);
  return { id, subscription, caller };
}

const unknown = (id: string) => new ApiError('NotFound', `Subscription '${id.slice(0, 64)}' does not exist`);

export const ownedBy = (subscription: Subscription, caller: Caller) => subscription.caller.userId === caller.userId && subscription.caller.apiKeyId === caller.apiKeyId;

/** `Last-Event-ID` (an EventSource reconnecting by itself) or `?lastEventId=` (clients that reconnect anew). */
function lastEventIdOf(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const value = first((request.query as Query).lastEventId) ?? (Array.isArray(header) ? header[0] : header);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new ApiError('BadRequest', `Last-Event-ID must be an event id from this stream (a number), got '${value.slice(0, 40)}'`);
  return Number(value);
}

async function displayNameOf(caller: Caller, users: UsersRepository): Promise<string> {
  if (caller.apiKeyId) return caller.userId;
  const user = await users.findById(caller.userId);
  return user?.displayName ?? user?.email ?? caller.userId;
}

/**
 * The onConnect body: every value a string, as ServiceStack sends (§1.4), absolute URLs, the limits.
 * The npm client copies every key into its own options, so no key may shadow one of those.
 */
function connectInfo(subscription: Subscription, base: string, events: ServerEvents, position: number): Record<string, string> {
  const { limits } = events;
  const id = encodeURIComponent(subscription.id);
  return {
    ...subscription.meta(),
    id: subscription.id,
    unRegisterUrl: `${base}/event-unregister?id=${id}`,
    heartbeatUrl: `${base}/event-heartbeat?id=${id}`,
    updateSubscriberUrl: `${base}/event-subscribers/${id}`,
    heartbeatIntervalMs: String(limits.heartbeatIntervalMs),
    idleTimeoutMs: String(limits.idleTimeoutMs),
    streamPosition: String(position),
    historyMs: String(limits.historyMs),
    maxChannels: String(limits.maxChannels),
    maxSubscriptions: String(limits.maxSubscriptions),
    maxQueuedBytes: String(limits.maxQueuedBytes),
  };
}
