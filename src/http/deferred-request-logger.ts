import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = Parameters<FastifyBaseLogger['info']>;

/** pino's own check; a logger without it (a test double) is taken to log everything. */
const enabled = (logger: FastifyBaseLogger, level: Level) =>
  (logger as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }).isLevelEnabled?.(level) ?? true;

/**
 * A request's logger that becomes pino's child (with the request id) only when something is
 * logged at an enabled level. Fastify builds a child per request; most requests log nothing at
 * the server's level, and the child (bindings serialised, level methods rebuilt) measured ~2% of
 * a GET /sessions/{id} (bench get-session profile).
 */
class DeferredRequestLogger {
  private materialized: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: Record<string, unknown>,
  ) {}

  get level(): string {
    return this.materialized?.level ?? (this.options.level as string | undefined) ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  fatal(...args: LogArgs) {
    this.write('fatal', args);
  }
  error(...args: LogArgs) {
    this.write('error', args);
  }
  warn(...args: LogArgs) {
    this.write('warn', args);
  }
  info(...args: LogArgs) {
    this.write('info', args);
  }
  debug(...args: LogArgs) {
    this.write('debug', args);
  }
  trace(...args: LogArgs) {
    this.write('trace', args);
  }
  silent() {}

  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  private write(level: Level, args: LogArgs) {
    if (this.materialized || this.options.level !== undefined || enabled(this.parent, level)) {
      (this.real()[level] as (...a: LogArgs) => void)(...args);
    }
  }

  private real(): FastifyBaseLogger {
    return (this.materialized ??= this.parent.child(this.bindings, this.options));
  }
}

/** Fastify's `childLoggerFactory`: request loggers that cost nothing until they log. */
export const deferredChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new DeferredRequestLogger(logger, bindings as Record<string, unknown>, options as Record<string, unknown>) as unknown as FastifyBaseLogger;
