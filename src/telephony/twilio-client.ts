import twilio from 'twilio';

/** An account's own Twilio credentials: every request for its calls is signed with these, never another tenant's. */
export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

export interface TwilioClientOptions {
  /**
   * Where Twilio's REST API is, e.g. `http://127.0.0.1:4010` (a test fake) or a Twilio-compatible
   * provider. Undefined: Twilio itself (`https://api.twilio.com`, …).
   */
  readonly apiBaseUrl?: string;
  /** Per-request timeout; twilio-node's default is 30 s, far longer than an agent waits on a button. */
  readonly timeoutMs: number;
  /** Retries of HTTP 429 only (twilio-node retries nothing else); attempts = maxRetries + 1. */
  readonly maxRetries: number;
}

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * twilio-node has no base-URL option: `edge`/`region` only rewrite `api.twilio.com` to
 * `api.{edge}.{region}.twilio.com` (call-control-and-messaging.md §3). Its supported seam is
 * `httpClient`; this one keeps the path and query of every absolute URI it is handed and swaps the
 * scheme and host, so every Twilio domain (api, conversations, …) goes to the configured base.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL | undefined,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(options);
  }

  override request<T>(opts: Parameters<typeof twilio.RequestClient.prototype.request<T>>[0]) {
    if (!this.base) return super.request<T>(opts);
    const target = new URL(opts.uri);
    const rebased = new URL(this.base.pathname.replace(/\/+$/, '') + target.pathname + target.search, this.base);
    return super.request<T>({ ...opts, uri: rebased.toString() });
  }
}

/**
 * Builds the official `twilio` client for an account, one per credentials (a client holds its
 * HTTP agent, so keep-alive sockets are reused across commands).
 *
 * @example
 * const clients = twilioClients({ timeoutMs: 10_000, maxRetries: 2 });
 * await clients.forAccount({ accountSid, authToken }).calls(callSid).update({ status: 'completed' });
 */
export function twilioClients(options: TwilioClientOptions): { forAccount(credentials: TwilioCredentials): TwilioClient } {
  const base = options.apiBaseUrl ? new URL(options.apiBaseUrl) : undefined;
  const cache = new Map<string, TwilioClient>();
  return {
    forAccount({ accountSid, authToken }) {
      const key = `${accountSid}\n${authToken}`;
      let client = cache.get(key);
      if (!client) {
        // A rotated token leaves the old client unused; a handful of accounts per process keeps this small.
        if (cache.size > 1000) cache.clear();
        const httpClient = new RebasedRequestClient(base, {
          timeout: options.timeoutMs,
          keepAlive: true,
          autoRetry: options.maxRetries > 0,
          maxRetries: options.maxRetries,
          maxRetryDelay: 1000,
        });
        client = twilio(accountSid, authToken, { httpClient, accountSid });
        cache.set(key, client);
      }
      return client;
    },
  };
}
