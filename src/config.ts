import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream/server-events.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** A SQLite file path (or `:memory:`), or a `postgres://` URL. */
  readonly databaseUrl: string;
  /** Seed an empty database with the demo account. */
  readonly demo: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The first-run SystemAdministrator (SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD). */
  readonly adminEmail: string;
  /** Undefined: a random password is made and printed once. */
  readonly adminPassword?: string;
  /** The base URL Twilio calls us on; Twilio signs it, so behind a proxy it must be set. */
  readonly publicUrl?: string;
  /** Where the incoming-call webhook redirects the call (`{accountId}`, `{accountSid}` filled in). */
  readonly twilioVoiceRedirectUrl?: string;
  /** What a caller held outside a conference hears (default: Twilio's own hold music). */
  readonly holdMusicUrl?: string;
  /** Unanswered inbound calls shorter than this are short abandons, not missed. */
  readonly shortAbandonSeconds: number;
  /** The live stream (`/event-stream`): its timings and limits, all sent to clients in onConnect. */
  readonly stream: StreamConfig;
  /** Browser origins allowed to call with cookies (CORS_ORIGINS, comma-separated): a console on another host. */
  readonly corsOrigins: readonly string[];
  /** Threads running lists and searches on a SQLite file, each with a read-only connection; 0 runs them on the main thread. */
  readonly readWorkers: number;
  /** Lists and searches running at once; undefined: what the store serves beside its writes (read-admission.ts). */
  readonly readConcurrency?: number;
  /** Lists and searches waiting for a turn before more are refused with 503 + Retry-After. */
  readonly readQueue: number;
  /**
   * The reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed: addresses,
   * CIDR subnets, or `loopback`, `linklocal`, `uniquelocal`. Empty: the peer is the client.
   */
  readonly trustProxy: readonly string[];
  /**
   * Twilio's REST API base (TWILIO_API_URL); undefined means Twilio itself. Set for a
   * Twilio-compatible provider, or a local fake in tests.
   */
  readonly twilioApiUrl?: string;
  /** How long a call-control request to Twilio may take before the outcome is called unknown. */
  readonly twilioTimeoutMs: number;
  /** How long after a command its callback may take before Switchboard asks Twilio for the state. */
  readonly reconcileAfterMs: number;
}

/** The stream's limits, as the stream declares them (src/stream/server-events.ts). */
export type StreamConfig = StreamLimits;

/** Options of the directory commands (`user add --role Manager --account acct_1`). */
export interface CommandOptions {
  readonly role?: string;
  readonly account?: string;
  readonly password?: string;
  readonly name?: string;
  readonly id?: string;
  readonly twilioSid?: string;
  /** `lifecycle set`: day counts as typed (0: the default / kept forever), `on`/`off`. */
  readonly liveDays?: string;
  readonly retentionDays?: string;
  readonly legalHold?: string;
  /** `lifecycle hold`: why the session is held. */
  readonly reason?: string;
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  databaseUrl: './data/switchboard.db',
  demo: false,
  logLevel: 'info',
  adminEmail: 'admin@switchboard.local',
  shortAbandonSeconds: 5,
  stream: DEFAULT_STREAM_LIMITS,
  corsOrigins: Object.freeze([]) as readonly string[],
  // The main thread keeps a core for HTTP and the writes; the rest read (bench/read-load).
  readWorkers: Math.min(4, Math.max(1, availableParallelism() - 1)),
  readQueue: 64,
  trustProxy: Object.freeze([]),
  twilioTimeoutMs: 10_000,
  reconcileAfterMs: 15_000,
});

/** Environment variable → stream setting; each a positive integer. */
const STREAM_ENV: Record<string, keyof StreamConfig> = {
  STREAM_HEARTBEAT_MS: 'heartbeatIntervalMs',
  STREAM_IDLE_TIMEOUT_MS: 'idleTimeoutMs',
  STREAM_HISTORY_HOURS: 'historyMs',
  STREAM_MAX_CHANNELS: 'maxChannels',
  STREAM_MAX_SUBSCRIPTIONS: 'maxSubscriptions',
  STREAM_MAX_QUEUED_BYTES: 'maxQueuedBytes',
  STREAM_POLL_MS: 'pollMs',
};

function streamConfig(env: Readonly<Record<string, string | undefined>>): StreamConfig {
  const config: Record<string, number> = { ...DEFAULT_CONFIG.stream };
  for (const [name, key] of Object.entries(STREAM_ENV)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got ${text}`);
    config[key] = name === 'STREAM_HISTORY_HOURS' ? value * 3600_000 : Math.round(value);
  }
  if (config.idleTimeoutMs! <= config.heartbeatIntervalMs!) {
    throw new ConfigError(`STREAM_IDLE_TIMEOUT_MS (${config.idleTimeoutMs}) must be longer than STREAM_HEARTBEAT_MS (${config.heartbeatIntervalMs}), or every client expires between heartbeats`);
  }
  return Object.freeze(config as unknown as StreamConfig);
}

function corsOrigins(text: string | undefined): readonly string[] {
  const origins = (text ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const origin of origins) if (!/^https?:\/\/[^/]+$/.test(origin)) throw new ConfigError(`CORS_ORIGINS must list origins like https://console.example.com, got ${origin}`);
  return Object.freeze(origins);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class ConfigError extends Error {}

/**
 * Parses the configuration once, at boot: flags win over the environment, the environment over
 * defaults. Nothing below this module reads `process.env`.
 *
 * @example
 * parseConfig(['--port', '9000'], { DATABASE_URL: ':memory:' }) // { port: 9000, databaseUrl: ':memory:', … }
 */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config {
  return parseCommandLine(argv, env).config;
}

/** The configuration plus the positional arguments (a command's files). */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { config: Config; positionals: string[]; options: CommandOptions } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      database: { type: 'string' },
      demo: { type: 'boolean' },
      'log-level': { type: 'string' },
      role: { type: 'string' },
      account: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      'twilio-sid': { type: 'string' },
      'live-days': { type: 'string' },
      'retention-days': { type: 'string' },
      'legal-hold': { type: 'string' },
      reason: { type: 'string' },
      'public-url': { type: 'string' },
      'twilio-voice-redirect': { type: 'string' },
      'hold-music-url': { type: 'string' },
      'short-abandon-seconds': { type: 'string' },
      'read-workers': { type: 'string' },
      'read-concurrency': { type: 'string' },
      'read-queue': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'twilio-api-url': { type: 'string' },
      'twilio-timeout-ms': { type: 'string' },
      'reconcile-after-ms': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const port = Number(values.port ?? env.PORT ?? DEFAULT_CONFIG.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port / PORT must be a port number (0-65535), got ${values.port ?? env.PORT}`);
  }
  const logLevel = values['log-level'] ?? env.LOG_LEVEL ?? DEFAULT_CONFIG.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level / LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${logLevel}`);
  }
  const shortAbandonSeconds = Number(values['short-abandon-seconds'] ?? env.SHORT_ABANDON_SECONDS ?? DEFAULT_CONFIG.shortAbandonSeconds);
  if (!Number.isFinite(shortAbandonSeconds) || shortAbandonSeconds < 0) {
    throw new ConfigError(`--short-abandon-seconds / SHORT_ABANDON_SECONDS must be a number of seconds, got ${values['short-abandon-seconds'] ?? env.SHORT_ABANDON_SECONDS}`);
  }
  const count = (flag: string, name: string, min: number, fallback?: number): number | undefined => {
    const text = (values as Record<string, string | undefined>)[flag] ?? env[name];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${flag} / ${name} must be a whole number ≥ ${min}, got ${text}`);
    return n;
  };
  const readWorkers = count('read-workers', 'READ_WORKERS', 0, DEFAULT_CONFIG.readWorkers)!;
  const readConcurrency = count('read-concurrency', 'READ_CONCURRENCY', 1);
  const readQueue = count('read-queue', 'READ_QUEUE', 0, DEFAULT_CONFIG.readQueue)!;
  const publicUrl = values['public-url'] ?? env.PUBLIC_URL;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError(`--public-url / PUBLIC_URL must be an http(s) base URL, got ${publicUrl}`);
  }
  const trustProxy = trustedProxies(values['trust-proxy'] ?? env.TRUST_PROXY);
  const twilioApiUrl = values['twilio-api-url'] ?? env.TWILIO_API_URL;
  if (twilioApiUrl !== undefined && !/^https?:\/\/[^/]+/.test(twilioApiUrl)) {
    throw new ConfigError(`--twilio-api-url / TWILIO_API_URL must be an http(s) base URL, got ${twilioApiUrl}`);
  }
  const holdMusicUrl = values['hold-music-url'] ?? env.HOLD_MUSIC_URL;
  if (holdMusicUrl !== undefined && !/^https?:\/\/\S+$/.test(holdMusicUrl)) throw new ConfigError(`--hold-music-url / HOLD_MUSIC_URL must be an http(s) URL, got ${holdMusicUrl}`);
  const twilioTimeoutMs = positiveMs('--twilio-timeout-ms / TWILIO_TIMEOUT_MS', values['twilio-timeout-ms'] ?? env.TWILIO_TIMEOUT_MS, DEFAULT_CONFIG.twilioTimeoutMs);
  const reconcileAfterMs = positiveMs('--reconcile-after-ms / RECONCILE_AFTER_MS', values['reconcile-after-ms'] ?? env.RECONCILE_AFTER_MS, DEFAULT_CONFIG.reconcileAfterMs);
  const config: Config = Object.freeze({
    port,
    host: values.host ?? env.HOST ?? DEFAULT_CONFIG.host,
    databaseUrl: values.database ?? env.DATABASE_URL ?? DEFAULT_CONFIG.databaseUrl,
    demo: values.demo ?? DEFAULT_CONFIG.demo,
    logLevel: logLevel as Config['logLevel'],
    adminEmail: env.SWITCHBOARD_ADMIN_EMAIL || DEFAULT_CONFIG.adminEmail,
    ...(env.SWITCHBOARD_ADMIN_PASSWORD ? { adminPassword: env.SWITCHBOARD_ADMIN_PASSWORD } : {}),
    publicUrl,
    twilioVoiceRedirectUrl: values['twilio-voice-redirect'] ?? env.TWILIO_VOICE_REDIRECT_URL,
    ...(holdMusicUrl ? { holdMusicUrl } : {}),
    shortAbandonSeconds,
    stream: streamConfig(env),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    readWorkers,
    ...(readConcurrency === undefined ? {} : { readConcurrency }),
    readQueue,
    trustProxy,
    twilioApiUrl,
    twilioTimeoutMs,
    reconcileAfterMs,
  });
  const { role, account, password, name, id } = values;
  const options: CommandOptions = {
    role,
    account,
    password,
    name,
    id,
    twilioSid: values['twilio-sid'],
    liveDays: values['live-days'],
    retentionDays: values['retention-days'],
    legalHold: values['legal-hold'],
    reason: values.reason,
  };
  return { config, positionals, options };
}

const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** `10.0.0.1, 192.168.0.0/16, loopback` → its entries, each checked; `true` (trust anyone) is refused. */
function trustedProxies(text: string | undefined): readonly string[] {
  const entries = (text ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!PROXY_RANGES.includes(entry) && !(family && prefixOk)) {
      throw new ConfigError(`--trust-proxy / TRUST_PROXY must be addresses, CIDR subnets or ${PROXY_RANGES.join('/')}, comma-separated; got ${entry}`);
    }
  }
  return Object.freeze(entries);
}

function positiveMs(names: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${names} must be a whole number of milliseconds, got ${raw}`);
  return value;
}
