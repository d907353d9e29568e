import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ApiError, ERROR_CODES } from './http/errors.js';
import { sendError } from './http/render.js';
import { deferredChildLoggerFactory } from './http/deferred-request-logger.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { installErrorHandling } from './http/error-handler.js';
import { drainOnClose } from './http/drain-on-close.js';
import { redactingLogger, refuseSecretsInUrls } from './http/secrets.js';
import { stripFormatSuffix } from './http/negotiate.js';
import type { Operation, OperationContext } from './http/operation.js';
import { formatOf, registerOperations, type AuthenticateRequest } from './http/register-operations.js';
import { authServices, type AuthOptions, type AuthServices } from './auth/auth-services.js';
import { authStatusOperation } from './auth/auth-status-operation.js';
import { authenticateOperation } from './auth/authenticate-operation.js';
import { BASIC_CHALLENGE, CREDENTIALS_CHALLENGE } from './auth/authenticator.js';
import { directoryOperations, UNSERVED_EVO_ROUTES } from './directory/directory-operations.js';
import { systemClock } from './lifecycle/clock.js';
import { deleteSessionsOperation } from './lifecycle/delete-sessions.js';
import { lifecycleOperations } from './lifecycle/lifecycle-operations.js';
import { LifecyclePolicies } from './lifecycle/lifecycle-policies.js';
import { getSessionOperation } from './sessions/get-session.js';
import { SessionListRepository } from './sessions/list-repository.js';
import { listSessionsOperation } from './sessions/list-sessions.js';
import { admittedReads, inlineSessionReads, type ReadsOf } from './sessions/session-reads.js';
import { workerSessionReads } from './sessions/worker-session-reads.js';
import { DEFAULT_CONFIG } from './config.js';
import { ReadAdmission } from './http/read-admission.js';
import { getActiveSessionsOperation, getMySessionsOperation } from './sessions/my-sessions.js';
import { SessionsRepository } from './sessions/sessions-repository.js';
import type { Store } from './store/open-store.js';
import { registerMetadata } from './metadata/register-metadata.js';
import { DirectoryReads } from './events/directory-reads.js';
import { DEFAULT_FOLD_POLICY } from './events/fold-session.js';
import { sessionWriter, type SessionWriter } from './events/session-writer.js';
import { registerTwilioWebhooks } from './webhooks/twilio-routes.js';
import { postSessionEventsOperation } from './events/post-session-events.js';
import { SessionIds } from './events/session-id.js';
import { appendSessionLogOperation, newSessionOperation, patchSessionOperation } from './events/session-commands.js';
import { UsersRepository } from './directory/users-repository.js';
import { ChannelAuthority } from './stream/channels.js';
import { DEFAULT_STREAM_LIMITS, ServerEvents, type StreamLimits } from './stream/server-events.js';
import { registerStreamPage } from './stream/stream-page.js';
import { registerConsoleRoutes } from './console/console-routes.js';
import { registerStreamRoutes } from './stream/stream-routes.js';
import { getEventSubscribersOperation, updateEventSubscriberOperation } from './stream/subscriber-operations.js';
import { registerCors } from './http/cors.js';
import { callControl, callControlOperations, type ControlOptions } from './control/call-control-wiring.js';
import type { CallControl } from './control/call-control.js';
import { ChatSessions } from './messaging/chat-sessions.js';
import { MessagesRepository } from './messaging/messages-repository.js';
import { Messaging } from './messaging/messaging.js';
import { messagingOperations } from './messaging/message-operations.js';

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
  /** Where lists and searches run and how many may run and wait; defaults suit production. */
  readonly reads?: ReadOptions;
  /** Call control through Twilio: its base URL, timeout, reconciliation deadline. */
  readonly control?: ControlOptions;
  /**
   * The reverse proxies whose X-Forwarded-For/-Proto are believed (config `trustProxy`): the client
   * address the sign-in throttle keys on, and whether a request was https (Secure cookies).
   */
  readonly trustProxy?: readonly string[];
}

export interface ReadOptions {
  /** Read worker threads on a SQLite file (config.ts `readWorkers`); 0 or a `:memory:` store: the main thread. */
  readonly workers?: number;
  /** Reads running at once; default: the store's `readsAtOnce` per connection reading. */
  readonly concurrency?: number;
  readonly queue?: number;
}

/** How events are ingested: Twilio's public URL and TwiML, the missed-call threshold, the clock. */
export interface EventsOptions {
  readonly publicUrl?: string;
  readonly voiceRedirectUrl?: string;
  /** The hold queue's music (default: Twilio's own). */
  readonly holdMusicUrl?: string;
  readonly shortAbandonSeconds?: number;
  readonly now?: () => Date;
  /** Which session writer (session-writer.ts): tests run the app on the plain reference one too. */
  readonly writer?: 'cached' | 'reference';
}

function writerOf(store: Store, events: EventsOptions = {}): SessionWriter {
  const policy = { shortAbandonSeconds: events.shortAbandonSeconds ?? DEFAULT_FOLD_POLICY.shortAbandonSeconds };
  return sessionWriter(store, { policy, now: events.now, kind: events.writer });
}

/**
 * The session reads of an app and their admission: on read workers when the store is a SQLite file,
 * else on the store's own connections; `close` stops the workers.
 */
export function sessionReads(store: Store, options: ReadOptions = {}, onError?: (message: string) => void): { readsOf: ReadsOf; close(): Promise<void> } {
  const workers = store.file === undefined ? 0 : (options.workers ?? DEFAULT_CONFIG.readWorkers);
  const reads = workers > 0 ? workerSessionReads(store.file!, workers, onError) : undefined;
  // Two reads per worker: one runs while the next waits in the worker, so it never idles for the
  // event loop's round trip (measured: bench/read-load, README).
  const concurrency = options.concurrency ?? (reads ? 2 * workers : store.capabilities.readsAtOnce);
  const admission = new ReadAdmission({ concurrency, queue: options.queue ?? DEFAULT_CONFIG.readQueue });
  const inline = inlineSessionReads(new SessionListRepository(store.db, store.capabilities.textSearch));
  return { readsOf: admittedReads(reads ?? inline, admission), close: async () => reads?.close() };
}

/** Every operation Switchboard serves, wired to its collaborators. */
export function operations(
  store: Store,
  auth: AuthServices = authServices(store),
  events: EventsOptions = {},
  writer = writerOf(store, events),
  serverEvents = new ServerEvents(store.db),
  readsOf: ReadsOf = sessionReads(store, { workers: 0 }).readsOf,
  control: CallControl = callControl(store, new SessionsRepository(store.db), writer, {}, events.now),
  chats: ChatSessions = new ChatSessions(new MessagesRepository(store.db), writer, new SessionIds(store.db), store.keyedLock),
  messaging: Messaging = messagingOf(store, writer, control, chats, events),
): Operation[] {
  const sessions = new SessionsRepository(store.db);
  const directory = new DirectoryReads(store.db);
  const commands = { writer, sessions, directory, now: events.now ?? (() => new Date()) };
  const policies = new LifecyclePolicies(store.db, systemClock);
  return [
    getSessionOperation(sessions),
    authenticateOperation({ ...auth, publicUrl: events.publicUrl }),
    authStatusOperation(auth.users, auth.accounts),
    ...directoryOperations(store, auth),
    listSessionsOperation(readsOf),
    getMySessionsOperation(store.db, readsOf),
    getActiveSessionsOperation(store.db, readsOf),
    deleteSessionsOperation(store.db, policies, systemClock),
    ...lifecycleOperations(policies, auth.accounts, sessions),
    postSessionEventsOperation(writer, directory, new SessionIds(store.db), sessions),
    newSessionOperation(commands),
    patchSessionOperation(commands),
    appendSessionLogOperation(commands),
    getEventSubscribersOperation(serverEvents, new ChannelAuthority(store.db)),
    updateEventSubscriberOperation(serverEvents, new ChannelAuthority(store.db)),
    ...callControlOperations(control, events.publicUrl, messaging),
    ...messagingOperations(messaging),
  ];
}

/** Texts through Twilio, sharing call control's Twilio clients and credentials. */
export function messagingOf(store: Store, writer: SessionWriter, control: CallControl, chats: ChatSessions, events: EventsOptions = {}): Messaging {
  return new Messaging({
    db: store.db,
    sessions: new SessionsRepository(store.db),
    chats,
    writer,
    directory: new DirectoryReads(store.db),
    people: control.deps.directory,
    credentials: control.deps.credentials,
    clients: control.deps.clients,
    now: events.now ?? (() => new Date()),
    callbackBase: callbackBaseOf(events.publicUrl),
  });
}

/** Where Twilio's callbacks go: the public URL, else the host the request came to. */
function callbackBaseOf(publicUrl: string | undefined) {
  return (context: OperationContext) => (publicUrl ? publicUrl.replace(/\/+$/, '') : `${context.http.protocol}://${context.http.headers.host ?? context.http.hostname}`);
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
    logger: redactingLogger(options.logger),
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    childLoggerFactory: deferredChildLoggerFactory,
    rewriteUrl: stripFormatSuffix,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 4096 },
    bodyLimit: 1024 * 1024,
    clientErrorHandler,
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
  drainOnClose(app);
  refuseSecretsInUrls(app);
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
  // One writer for the API's commands and the webhooks: their events share group commits.
  const writer = writerOf(options.store, options.events);
  const serverEvents = new ServerEvents(options.store.db, { ...DEFAULT_STREAM_LIMITS, ...options.stream }, options.store.changeSignals, Date.now, () => writer.waiting);
  // Local commits wake this instance's stream at once, other instances' by a signal (or their poll).
  writer.onCommitted((position) => {
    serverEvents.wake();
    options.store.changeSignals.notify(position);
  });
  const reads = sessionReads(options.store, options.reads, (message) => app.log.error(message));
  app.addHook('onClose', () => reads.close());
  const control = callControl(options.store, new SessionsRepository(options.store.db), writer, options.control, options.events?.now);
  // Pending reconciliations end with the app; one running finishes first (it is one Twilio GET and one commit).
  app.addHook('onClose', () => control.deps.reconciler.close());
  // One conversation lock for inbound texts and sends: a reply never races the text that opens a chat.
  const chats = new ChatSessions(new MessagesRepository(options.store.db), writer, new SessionIds(options.store.db), options.store.keyedLock);
  const messaging = messagingOf(options.store, writer, control, chats, options.events);
  const all = operations(options.store, auth, options.events, writer, serverEvents, reads.readsOf, control, chats, messaging);
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
  registerTwilioWebhooks(app, writer, new DirectoryReads(options.store.db), new SessionIds(options.store.db), {
    publicUrl: options.events?.publicUrl,
    voiceRedirectUrl: options.events?.voiceRedirectUrl,
    holdMusicUrl: options.events?.holdMusicUrl,
    now: options.events?.now ?? (() => new Date()),
    chats,
    relay: (accountId, sessionId, text, base) => messaging.relay.relay(accountId, sessionId, text, base),
  });
  return app;
}
