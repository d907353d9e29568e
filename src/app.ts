import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ApiError, ERROR_CODES } from './http/errors.js';
import { sendError } from './http/render.js';
import { deferredChildLoggerFactory } from './http/deferred-request-logger.js';
import { installErrorHandling } from './http/error-handler.js';
import { stripFormatSuffix } from './http/negotiate.js';
import type { Operation } from './http/operation.js';
import { formatOf, registerOperations, type AuthenticateRequest } from './http/register-operations.js';
import { authServices, type AuthOptions, type AuthServices } from './auth/auth-services.js';
import { authStatusOperation } from './auth/auth-status-operation.js';
import { authenticateOperation } from './auth/authenticate-operation.js';
import { BASIC_CHALLENGE, CREDENTIALS_CHALLENGE } from './auth/authenticator.js';
import { directoryOperations, UNSERVED_EVO_ROUTES } from './directory/directory-operations.js';
import { systemClock } from './lifecycle/clock.js';
import { deleteSessionsOperation } from './lifecycle/delete-sessions.js';
import { LifecyclePolicies } from './lifecycle/lifecycle-policies.js';
import { getSessionOperation } from './sessions/get-session.js';
import { SessionListRepository } from './sessions/list-repository.js';
import { listSessionsOperation } from './sessions/list-sessions.js';
import { getActiveSessionsOperation, getMySessionsOperation } from './sessions/my-sessions.js';
import { SessionsRepository } from './sessions/sessions-repository.js';
import type { Store } from './store/open-store.js';
import { registerMetadata } from './metadata/register-metadata.js';
import { DirectoryReads } from './events/directory-reads.js';
import { DEFAULT_FOLD_POLICY } from './events/fold-session.js';
import { EventIngest } from './events/ingest-events.js';
import { registerTwilioWebhooks } from './webhooks/twilio-routes.js';
import { postSessionEventsOperation } from './events/post-session-events.js';
import { appendSessionLogOperation, newSessionOperation, patchSessionOperation } from './events/session-commands.js';
import { UsersRepository } from './directory/users-repository.js';
import { ChannelAuthority } from './stream/channels.js';
import { DEFAULT_STREAM_LIMITS, ServerEvents, type StreamLimits } from './stream/server-events.js';
import { registerStreamPage } from './stream/stream-page.js';
import { registerConsoleRoutes } from './console/console-routes.js';
import { registerStreamRoutes } from './stream/stream-routes.js';
import { getEventSubscribersOperation, updateEventSubscriberOperation } from './stream/subscriber-operations.js';
import { registerCors } from './http/cors.js';

export interface AppOptions {
  readonly store: Store;
  readonly logger?: FastifyServerOptions['logger'];
  /** Clock, session lifetimes and sign-in throttle; defaults suit production. */
  readonly auth?: AuthOptions;
  /** Sign-in services already built over `store` (the server seeds users with the same ones); else built from `auth`. */
  readonly authServices?: AuthServices;
  /**
   * Replaces authentication. Only the benchmark sets it, to measure what authentication costs
   * against the same app without it; nothing reads it from configuration.
   */
  readonly authenticate?: AuthenticateRequest;
  readonly events?: EventsOptions;
  /** The live stream's limits (src/config.ts); defaults are ServiceStack's timings. */
  readonly stream?: Partial<StreamLimits>;
  /** Browser origins allowed to call with credentials (CORS), e.g. a console on another host. */
  readonly corsOrigins?: readonly string[];
}

/** How events are ingested: Twilio's public URL and TwiML, the missed-call threshold, the clock. */
export interface EventsOptions {
  readonly publicUrl?: string;
  readonly voiceRedirectUrl?: string;
  readonly shortAbandonSeconds?: number;
  readonly now?: () => Date;
}

function eventIngest(store: Store, events: EventsOptions = {}): EventIngest {
  const policy = { shortAbandonSeconds: events.shortAbandonSeconds ?? DEFAULT_FOLD_POLICY.shortAbandonSeconds };
  return new EventIngest(store.db, policy, events.now, store.capabilities.writes);
}

/** Every operation Switchboard serves, wired to its collaborators. */
export function operations(
  store: Store,
  auth: AuthServices = authServices(store),
  events: EventsOptions = {},
  ingest = eventIngest(store, events),
  serverEvents = new ServerEvents(store.db),
): Operation[] {
  const sessions = new SessionsRepository(store.db);
  const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
  const directory = new DirectoryReads(store.db);
  const commands = { ingest, sessions, directory, now: events.now ?? (() => new Date()) };
  return [
    getSessionOperation(sessions),
    authenticateOperation(auth),
    authStatusOperation(auth.users, auth.accounts),
    ...directoryOperations(store, auth),
    listSessionsOperation(lists),
    getMySessionsOperation(store.db, lists),
    getActiveSessionsOperation(store.db, lists),
    deleteSessionsOperation(store.db, new LifecyclePolicies(store.db, systemClock), systemClock),
    postSessionEventsOperation(ingest, directory),
    newSessionOperation(commands),
    patchSessionOperation(commands),
    appendSessionLogOperation(commands),
    getEventSubscribersOperation(serverEvents, new ChannelAuthority(store.db)),
    updateEventSubscriberOperation(serverEvents, new ChannelAuthority(store.db)),
  ] as Operation[];
}

/**
 * Builds the fully wired app; never listens (style habit 1). Tests drive it over real HTTP on
 * 127.0.0.1 or with `inject`; `server.ts` owns the port.
 *
 * @example
 * const app = await buildApp({ store }); await app.listen({ port: 0, host: '127.0.0.1' });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    childLoggerFactory: deferredChildLoggerFactory,
    rewriteUrl: stripFormatSuffix,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 4096 },
    bodyLimit: 1024 * 1024,
    // Bad percent-encoding and over-long path parameters fail before routing; answer them in kind.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const code = tooLong ? 'UriTooLong' : 'BadRequest';
      sendError(reply, formatOf(request), ERROR_CODES[code], code, {
        errorCode: code,
        message: tooLong ? 'A path parameter is too long' : 'The URL is not validly percent-encoded',
        errors: [],
      });
    },
  });
  installErrorHandling(app);
  await app.register(formbody);
  // Bodies are read as text and parsed by the route: predefined routes read JSON whatever the
  // Content-Type says (servicestack-wire.md §0.2), and an empty JSON body is no body.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('BadRequest', 'The request body is not valid JSON'), undefined);
    }
  });
  const auth = options.authServices ?? authServices(options.store, options.auth);
  // One ingest for the API's commands and the webhooks: their events share group commits.
  const ingest = eventIngest(options.store, options.events);
  const serverEvents = new ServerEvents(options.store.db, { ...DEFAULT_STREAM_LIMITS, ...options.stream }, options.store.changeSignals);
  // Local commits wake this instance's stream at once, other instances' by a signal (or their poll).
  ingest.onCommitted((position) => {
    serverEvents.wake();
    options.store.changeSignals.notify(position);
  });
  const all = operations(options.store, auth, options.events, ingest, serverEvents);
  const authenticate = options.authenticate ?? ((request) => auth.authenticator.callerOf(request));
  registerCors(app, options.corsOrigins ?? []);
  registerMetadata(app, all);
  registerOperations(app, all, { authenticate, challenge: CREDENTIALS_CHALLENGE, browserChallenge: BASIC_CHALLENGE, reservedPaths: UNSERVED_EVO_ROUTES });
  registerStreamRoutes(app, serverEvents, new ChannelAuthority(options.store.db), new UsersRepository(options.store.db), {
    authenticate,
    publicUrl: options.events?.publicUrl,
  });
  registerStreamPage(app, authenticate);
  registerConsoleRoutes(app);
  registerTwilioWebhooks(app, ingest, new DirectoryReads(options.store.db), {
    publicUrl: options.events?.publicUrl,
    voiceRedirectUrl: options.events?.voiceRedirectUrl,
    now: options.events?.now ?? (() => new Date()),
  });
  return app;
}
