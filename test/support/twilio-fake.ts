/**
 * A Twilio-compatible REST server on 127.0.0.1 for tests and benchmarks: the official `twilio`
 * package talks to it through Switchboard's configurable base URL (src/telephony/twilio-client.ts).
 *
 * It keeps a small model per account (calls, conferences with participants, recordings, messages),
 * records every request (method, path, query, form multimap, Basic user), answers Twilio's refusals
 * (call-control-and-messaging.md §3: 21220, 20404, 20003) and any injected fault, and after each change
 * sends the status callbacks Twilio would, signed with the account's token by the `twilio` package,
 * to Switchboard. Callbacks go out at once, or are held for the test to deliver in any order,
 * duplicate or drop.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import twilio from 'twilio';

export interface FakeAccount {
  readonly sid: string;
  readonly token: string;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path after `/2010-04-01/Accounts/{AccountSid}`, e.g. `/Calls/CA….json`. */
  readonly path: string;
  readonly fullPath: string;
  readonly accountSid: string;
  readonly query: URLSearchParams;
  /** Read with `getAll`: Twilio's client repeats keys for lists (`StatusCallbackEvent`). */
  readonly form: URLSearchParams;
  /** The Basic credentials sent. */
  readonly username: string;
  readonly password: string;
  /** performance.now() when the request arrived and when it was answered (undefined: never). */
  readonly receivedAt: number;
  answeredAt?: number;
}

export interface Callback {
  readonly accountSid: string;
  /** A request whose answer is TwiML the call runs next (a redirect's Url): called with the body. */
  readonly onAnswer?: (body: string) => void;
  /** The URL Twilio was given (and signs), e.g. `https://switchboard.example.com/twilio/conference/status?sessionId=…`. */
  readonly url: string;
  readonly params: Record<string, string>;
}

/** What the fake answers instead of doing its job, for requests matching `match`. */
export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'reset' }
  /** Answers after the delay (beyond the client's timeout), having applied the change. */
  | { readonly kind: 'delay'; readonly ms: number };

export interface FakeMessage {
  readonly accountSid: string;
  readonly sid: string;
  status: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly mediaUrls: readonly string[];
  readonly statusCallback?: string;
}

/** An inbound text as a phone would send it to one of the account's numbers. */
export interface InboundText {
  readonly from: string;
  readonly to: string;
  readonly body?: string;
  readonly media?: readonly { readonly url: string; readonly contentType: string }[];
  readonly sid?: string;
}

export interface FakeCall {
  readonly accountSid: string;
  readonly sid: string;
  status: string;
  readonly from: string;
  readonly to: string;
  readonly direction: string;
  readonly parentCallSid?: string;
  statusCallback?: string;
  statusEvents: readonly string[];
  sequence: number;
  conferenceSid?: string;
  /** A `<Dial>` child still bridged to its parent: it ends when the parent is redirected elsewhere. */
  bridged: boolean;
  /** The queue it waits in (`<Enqueue>`), with the action URL to report its leaving to. */
  queue?: { readonly sid: string; readonly name: string; readonly action?: string; readonly since: number };
  readonly dateCreated: string;
  endTime?: string;
}

export interface FakeParticipant {
  readonly callSid: string;
  hold: boolean;
  muted: boolean;
  status: 'connected' | 'complete';
  readonly label?: string;
}

export interface FakeQueue {
  readonly accountSid: string;
  readonly sid: string;
  readonly friendlyName: string;
  /** CallSids waiting, oldest first. */
  readonly members: string[];
}

export interface FakeConference {
  readonly accountSid: string;
  readonly sid: string;
  readonly friendlyName: string;
  status: 'in-progress' | 'completed';
  statusCallback?: string;
  events: readonly string[];
  sequence: number;
  readonly participants: Map<string, FakeParticipant>;
  /** Every leg that was ever in it: ending the conference ends their TwiML, so they complete. */
  readonly joined: Set<string>;
}

const ALL_CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'];
const LIVE = new Set(['queued', 'initiated', 'ringing', 'in-progress']);

const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const now = () => new Date().toUTCString().replace('GMT', '+0000');

function restError(status: number, code: number, message: string): Fault {
  return { kind: 'status', status, body: JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }) };
}

/** Twilio's refusals and transport failures, by the names the error mapping uses. */
export const FAULTS = {
  notFound: restError(404, 20404, 'The requested resource was not found'),
  notInProgress: restError(400, 21220, 'Call is not in-progress. Cannot redirect.'),
  participantNotConnected: restError(400, 20404, 'Participant is not connected'),
  authFailed: restError(401, 20003, 'Authenticate'),
  invalidTo: restError(400, 21211, "The 'To' number is not a valid phone number."),
  optedOut: restError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  rateLimited: restError(429, 20429, 'Too Many Requests'),
  serverError: restError(500, 20500, 'Internal Server Error'),
  htmlUnavailable: { kind: 'status', status: 503, body: '<html><body>Service Unavailable</body></html>', contentType: 'text/html' } as Fault,
  reset: { kind: 'reset' } as Fault,
} as const;

/** A URL where nothing listens: a port just opened and closed again. */
export async function deadUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface TwilioFakeOptions {
  readonly accounts: readonly FakeAccount[];
  /** Where Switchboard listens (e.g. `http://127.0.0.1:1234`); callbacks keep the path and query of the URL Twilio was given. */
  readonly switchboardUrl?: string;
}

export class TwilioFake {
  readonly requests: RecordedRequest[] = [];
  readonly calls = new Map<string, FakeCall>();
  readonly conferences = new Map<string, FakeConference>();
  readonly queues = new Map<string, FakeQueue>();
  readonly recordings: { sid: string; callSid: string; accountSid: string; status: string; form: URLSearchParams }[] = [];
  readonly messages: FakeMessage[] = [];
  /** The delivery statuses reported for each message sent, in order (Twilio sends no callback for `queued`). */
  messageStatuses: readonly string[] = ['sent', 'delivered'];
  /** Callbacks waiting while `holdCallbacks` is set. */
  readonly pending: Callback[] = [];
  /** Every callback Switchboard acknowledged, with the status it answered. */
  readonly delivered: { callback: Callback; status: number; at: number }[] = [];
  /** The fake's own time to handle each REST request (µs), for the benchmark's baseline. */
  readonly handlingMicros: number[] = [];
  holdCallbacks = false;
  /** Participant legs (`Participants` create) answer at once; else they stay ringing. */
  autoAnswer = true;
  switchboardUrl?: string;
  private readonly waiters: { match: (c: Callback) => boolean; resolve: (at: number) => void }[] = [];
  private readonly faults: { match: (r: RecordedRequest) => boolean; fault: Fault; times: number }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accounts: Map<string, string>,
  ) {}

  static async start(options: TwilioFakeOptions): Promise<TwilioFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new TwilioFake(server, `http://127.0.0.1:${port}`, new Map(options.accounts.map((a) => [a.sid, a.token])));
    fake.switchboardUrl = options.switchboardUrl;
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Stops listening (later requests get ECONNREFUSED) and waits for callbacks in flight. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Answers the next `times` requests matching with `fault` instead. */
  inject(fault: Fault, match: (r: RecordedRequest) => boolean = () => true, times = 1): void {
    this.faults.push({ match, fault, times });
  }

  /** Requests that change something (everything but GET). */
  get writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** A call Switchboard asked for (Calls create, Participants create): queued, with the callbacks it asked for. */
  private dialOut(r: RecordedRequest, to: string): FakeCall {
    const call = this.addCall(r.accountSid, { from: r.form.get('From') ?? '', to, status: 'queued', direction: 'outbound-api', statusCallback: r.form.get('StatusCallback') ?? undefined });
    call.statusEvents = r.form.getAll('StatusCallbackEvent');
    return call;
  }

  /** After the answer to the create: initiated, ringing, then (with autoAnswer) in progress and `answered`. */
  private ring(call: FakeCall, answered: () => void): void {
    queueMicrotask(() => {
      for (const status of ['initiated', 'ringing']) {
        call.status = status;
        this.callStatusCallback(call);
      }
      if (!this.autoAnswer) return;
      call.status = 'in-progress';
      answered();
    });
  }

  // ── model set-up: a call as Twilio would have it, before Switchboard acts on it ──

  addCall(accountSid: string, call: { sid?: string; status?: string; from: string; to: string; direction?: string; parentCallSid?: string; statusCallback?: string }): FakeCall {
    const made: FakeCall = {
      accountSid,
      sid: call.sid ?? newSid('CA'),
      status: call.status ?? 'in-progress',
      from: call.from,
      to: call.to,
      direction: call.direction ?? 'inbound',
      parentCallSid: call.parentCallSid,
      statusCallback: call.statusCallback,
      statusEvents: ['initiated', 'ringing', 'answered', 'completed'],
      sequence: 0,
      bridged: call.parentCallSid !== undefined,
      dateCreated: now(),
    };
    this.calls.set(made.sid, made);
    return made;
  }

  /** Puts live calls in a conference and sends conference-start and the joins, as `<Dial><Conference>` would. */
  joinConference(accountSid: string, friendlyName: string, statusCallback: string, callSids: readonly string[], labels: Record<string, string> = {}): FakeConference {
    const conference = this.conferenceNamed(accountSid, friendlyName, statusCallback, ALL_CONFERENCE_EVENTS);
    for (const sid of callSids) this.join(conference, this.calls.get(sid)!, labels[sid]);
    return conference;
  }

  /** Sends a call status callback as Twilio would (e.g. a leg answered, or hung up by the caller). */
  setCallStatus(sid: string, status: string): void {
    const call = this.calls.get(sid)!;
    call.status = status;
    if (!LIVE.has(status)) call.endTime = now();
    this.callStatusCallback(call);
    if (!LIVE.has(status) && call.conferenceSid) this.leave(this.conferences.get(call.conferenceSid)!, call.sid, 'participant_hung_up');
  }

  /** A recording stops as Twilio reports it (`completed` with its URL, or `absent`): the callback goes out if it was asked for. */
  setRecordingStatus(sid: string, status: 'completed' | 'absent'): void {
    const recording = this.recordings.find((r) => r.sid === sid)!;
    recording.status = status;
    const callback = recording.form.get('RecordingStatusCallback');
    if (!callback || !recording.form.getAll('RecordingStatusCallbackEvent').includes(status)) return;
    const params: Record<string, string> = { AccountSid: recording.accountSid, CallSid: recording.callSid, RecordingSid: sid, RecordingStatus: status, RecordingChannels: '2', RecordingSource: 'StartCallRecordingAPI' };
    if (status === 'completed') Object.assign(params, { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${recording.accountSid}/Recordings/${sid}`, RecordingDuration: '12' });
    this.send({ accountSid: recording.accountSid, url: callback, params });
  }

  /** Sends the inbound-SMS webhook Twilio would for a text to `to` (an MMS when media are given); answers Switchboard's status. */
  async receiveText(accountSid: string, url: string, text: InboundText): Promise<{ sid: string; status: number }> {
    const media = text.media ?? [];
    const sid = text.sid ?? newSid(media.length ? 'MM' : 'SM');
    const params: Record<string, string> = {
      AccountSid: accountSid,
      MessageSid: sid,
      SmsSid: sid,
      SmsMessageSid: sid,
      From: text.from,
      To: text.to,
      Body: text.body ?? '',
      NumMedia: String(media.length),
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      FromCountry: 'US',
      ToCountry: 'US',
    };
    media.forEach((m, n) => {
      params[`MediaUrl${n}`] = m.url;
      params[`MediaContentType${n}`] = m.contentType;
    });
    return { sid, status: await this.deliver({ accountSid, url, params }) };
  }

  // ── callbacks ──

  /** Delivers the held callbacks, in the order `arrange` gives (default: as they were made). */
  async flush(arrange: (callbacks: Callback[]) => Callback[] = (c) => c): Promise<void> {
    const callbacks = arrange(this.pending.splice(0));
    for (const callback of callbacks) await this.deliver(callback);
  }

  /**
   * Resolves, with performance.now(), when Switchboard acknowledges the next callback matching:
   * its 2xx is sent after the event is committed, so the session shows it from then on.
   */
  acknowledged(match: (callback: Callback) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Waits until every callback sent so far has been answered. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Posts one callback to Switchboard, signed over the URL Twilio was given. */
  deliver(callback: Callback): Promise<number> {
    return this.deliverTo(this.switchboardUrl, callback);
  }

  /** As `deliver`, to the Switchboard at `base` (one of several instances behind the public URL). */
  async deliverTo(base: string | undefined, callback: Callback): Promise<number> {
    const token = this.accounts.get(callback.accountSid)!;
    const signature = twilio.getExpectedTwilioSignature(token, callback.url, callback.params);
    const given = new URL(callback.url);
    const target = base ? base + given.pathname + given.search : callback.url;
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(callback.params).toString(),
    });
    const answer = await res.text();
    if (res.status < 300) callback.onAnswer?.(answer);
    const at = performance.now();
    this.delivered.push({ callback, status: res.status, at });
    if (res.status < 300) {
      const i = this.waiters.findIndex((w) => w.match(callback));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(at);
    }
    return res.status;
  }

  private send(callback: Callback) {
    if (this.holdCallbacks) {
      this.pending.push(callback);
      return;
    }
    const sent: Promise<unknown> = this.deliver(callback).catch(() => undefined).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private callStatusCallback(call: FakeCall) {
    const event = call.status === 'in-progress' ? 'answered' : call.status;
    if (!call.statusCallback || !(call.statusEvents.includes(event) || (!LIVE.has(call.status) && call.statusEvents.includes('completed')))) return;
    this.send({
      accountSid: call.accountSid,
      url: call.statusCallback,
      params: {
        AccountSid: call.accountSid,
        CallSid: call.sid,
        CallStatus: call.status,
        From: call.from,
        To: call.to,
        Direction: call.direction,
        ...(call.parentCallSid ? { ParentCallSid: call.parentCallSid } : {}),
        ApiVersion: '2010-04-01',
        CallbackSource: 'call-progress-events',
        SequenceNumber: String(call.sequence++),
        Timestamp: now(),
        ...(LIVE.has(call.status) ? {} : { CallDuration: '0' }),
      },
    });
  }

  private conferenceCallback(conference: FakeConference, kind: string, extra: Record<string, string> = {}) {
    const short = kind.replace(/^(participant|conference)-/, '').replace(/^un/, '');
    if (!conference.statusCallback || !conference.events.includes(short)) return;
    this.send({
      accountSid: conference.accountSid,
      url: conference.statusCallback,
      params: {
        AccountSid: conference.accountSid,
        ConferenceSid: conference.sid,
        FriendlyName: conference.friendlyName,
        StatusCallbackEvent: kind,
        SequenceNumber: String(conference.sequence++),
        Timestamp: now(),
        ...extra,
      },
    });
  }

  private participantCallback(conference: FakeConference, kind: string, p: FakeParticipant, extra: Record<string, string> = {}) {
    this.conferenceCallback(conference, kind, {
      CallSid: p.callSid,
      Hold: String(p.hold),
      Muted: String(p.muted),
      ...(p.label ? { ParticipantLabel: p.label } : {}),
      ...extra,
    });
  }

  private conferenceNamed(accountSid: string, friendlyName: string, statusCallback: string | undefined, events: readonly string[]): FakeConference {
    const live = [...this.conferences.values()].find((c) => c.accountSid === accountSid && c.friendlyName === friendlyName && c.status === 'in-progress');
    if (live) return live;
    const conference: FakeConference = { accountSid, sid: newSid('CF'), friendlyName, status: 'in-progress', statusCallback, events, sequence: 1, participants: new Map(), joined: new Set() };
    this.conferences.set(conference.sid, conference);
    return conference;
  }

  private join(conference: FakeConference, call: FakeCall, label?: string) {
    if (call.conferenceSid && call.conferenceSid !== conference.sid) this.leave(this.conferences.get(call.conferenceSid)!, call.sid, 'participant_updated_via_api');
    const first = conference.participants.size === 0 && conference.sequence === 1;
    const participant: FakeParticipant = { callSid: call.sid, hold: false, muted: false, status: 'connected', label };
    conference.participants.set(call.sid, participant);
    conference.joined.add(call.sid);
    call.conferenceSid = conference.sid;
    this.leaveQueue(call, 'redirected');
    if (first) this.conferenceCallback(conference, 'conference-start');
    this.participantCallback(conference, 'participant-join', participant);
  }

  private leave(conference: FakeConference, callSid: string, reason: string) {
    const participant = conference.participants.get(callSid);
    if (!participant || conference.status !== 'in-progress') return;
    conference.participants.delete(callSid);
    participant.status = 'complete';
    const call = this.calls.get(callSid);
    if (call) call.conferenceSid = undefined;
    this.participantCallback(conference, 'participant-leave', participant, { ReasonParticipantLeft: reason });
    if (conference.participants.size === 0) this.endConference(conference, 'last-participant-left');
  }

  private endConference(conference: FakeConference, reason: string) {
    conference.status = 'completed';
    this.conferenceCallback(conference, 'conference-end', { ReasonConferenceEnded: reason });
  }

  private endCall(call: FakeCall, status: string) {
    call.status = status;
    call.endTime = now();
    this.leaveQueue(call, 'hangup');
    if (call.conferenceSid) this.leave(this.conferences.get(call.conferenceSid)!, call.sid, 'participant_hung_up');
    this.callStatusCallback(call);
    // Dialled children end with their parent, as `<Dial>` legs do.
    for (const child of this.calls.values()) if (child.parentCallSid === call.sid && LIVE.has(child.status)) this.endCall(child, child.status === 'in-progress' ? 'completed' : 'canceled');
  }

  // ── the REST API ──

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)(\/.*)$/.exec(url.pathname);
    const [username, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: match?.[2] ?? url.pathname,
      fullPath: url.pathname,
      accountSid: match?.[1] ?? '',
      query: url.searchParams,
      form: new URLSearchParams(Buffer.concat(chunks).toString()),
      username: username ?? '',
      password: password ?? '',
      receivedAt: started,
    };
    this.requests.push(request);
    const injected = this.faults.find((f) => f.times > 0 && f.match(request));
    if (injected) injected.times--;
    const fault = injected?.fault;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      request.answeredAt = performance.now();
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' }).end(fault.body);
      return;
    }
    const [status, body] = this.route(request);
    this.handlingMicros.push((performance.now() - started) * 1000);
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (res.destroyed) return;
    request.answeredAt = performance.now();
    if (status === 204) res.writeHead(204).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private route(r: RecordedRequest): [number, unknown] {
    if (!this.accounts.has(r.username) || this.accounts.get(r.username) !== r.password || r.username !== r.accountSid) {
      return [401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }];
    }
    const notFound = (): [number, unknown] => [404, { code: 20404, message: `The requested resource ${r.fullPath} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 }];
    const ownCall = (sid: string) => {
      const call = this.calls.get(sid);
      return call && call.accountSid === r.accountSid ? call : undefined;
    };
    const ownConference = (sidOrName: string) =>
      [...this.conferences.values()].find((c) => c.accountSid === r.accountSid && (c.sid === sidOrName || (c.friendlyName === sidOrName && c.status === 'in-progress')));
    let m: RegExpExecArray | null;
    if (r.path === '/Calls.json' && r.method === 'GET') {
      const wanted = r.query.get('Status');
      const calls = [...this.calls.values()].filter((c) => c.accountSid === r.accountSid && (!wanted || c.status === wanted));
      return [200, { calls: calls.map(callJson), page: 0, page_size: 50, next_page_uri: null, uri: r.fullPath }];
    }
    if (r.path === '/Calls.json' && r.method === 'POST') {
      const call = this.dialOut(r, r.form.get('To') ?? '');
      const answerUrl = r.form.get('Url');
      this.ring(call, () => {
        if (answerUrl) this.send({ accountSid: call.accountSid, url: answerUrl, params: { AccountSid: call.accountSid, CallSid: call.sid, CallStatus: 'in-progress', From: call.from, To: call.to, Direction: call.direction, ApiVersion: '2010-04-01' } });
        this.callStatusCallback(call);
      });
      return [201, callJson(call)];
    }
    if ((m = /^\/Calls\/([^/]+)\.json$/.exec(r.path))) {
      const call = ownCall(m[1]!);
      if (!call) return notFound();
      if (r.method === 'GET') return [200, callJson(call)];
      return this.updateCall(call, r.form);
    }
    if ((m = /^\/Calls\/([^/]+)\/Recordings\.json$/.exec(r.path)) && r.method === 'POST') {
      const call = ownCall(m[1]!);
      if (!call) return notFound();
      if (call.status !== 'in-progress') return [400, { code: 21220, message: 'Call is not in-progress', status: 400 }];
      const recording = { sid: newSid('RE'), callSid: call.sid, accountSid: r.accountSid, status: 'in-progress', form: r.form };
      this.recordings.push(recording);
      const callback = r.form.get('RecordingStatusCallback');
      if (callback && r.form.getAll('RecordingStatusCallbackEvent').includes('in-progress')) {
        this.send({ accountSid: r.accountSid, url: callback, params: { AccountSid: r.accountSid, CallSid: call.sid, RecordingSid: recording.sid, RecordingStatus: 'in-progress', RecordingChannels: '2', RecordingSource: 'StartCallRecordingAPI', RecordingStartTime: now() } });
      }
      return [201, { sid: recording.sid, status: 'in-progress', call_sid: call.sid, conference_sid: null, start_time: now(), channels: 2, source: 'StartCallRecordingAPI', track: r.form.get('RecordingTrack') ?? 'both' }];
    }
    if (r.path === '/Queues.json' && r.method === 'GET') {
      const queues = [...this.queues.values()].filter((q) => q.accountSid === r.accountSid);
      return [200, { queues: queues.map((q) => ({ sid: q.sid, account_sid: q.accountSid, friendly_name: q.friendlyName, current_size: q.members.length, max_size: 1000 })), page: 0, page_size: 50, next_page_uri: null, uri: r.fullPath }];
    }
    if ((m = /^\/Queues\/([^/]+)\/Members\/([^/]+)\.json$/.exec(r.path)) && r.method === 'GET') {
      const queue = this.queues.get(m[1]!);
      const position = queue && queue.accountSid === r.accountSid ? queue.members.indexOf(m[2]!) : -1;
      if (position < 0) return notFound();
      return [200, { call_sid: m[2], queue_sid: queue!.sid, position: position + 1, wait_time: 0, date_enqueued: now() }];
    }
    if ((m = /^\/Recordings\/([^/]+)\.json$/.exec(r.path)) && r.method === 'GET') {
      const recording = this.recordings.find((x) => x.sid === m![1] && x.accountSid === r.accountSid);
      if (!recording) return notFound();
      return [200, { sid: recording.sid, account_sid: recording.accountSid, call_sid: recording.callSid, status: recording.status, channels: 2, source: 'StartCallRecordingAPI' }];
    }
    if ((m = /^\/Conferences\/([^/]+)\.json$/.exec(r.path))) {
      const conference = ownConference(m[1]!);
      if (!conference) return notFound();
      if (r.method === 'POST' && r.form.get('Status') === 'completed' && conference.status === 'in-progress') {
        for (const p of [...conference.participants.values()]) {
          conference.participants.delete(p.callSid);
          p.status = 'complete';
          this.participantCallback(conference, 'participant-leave', p, { ReasonParticipantLeft: 'conference_ended_via_api' });
        }
        this.endConference(conference, 'conference-ended-via-api');
        // Each leg's TwiML ends with the conference: the legs complete.
        for (const call of [...this.calls.values()]) {
          if (call.accountSid === conference.accountSid && LIVE.has(call.status) && conference.joined.has(call.sid)) this.endCall(call, 'completed');
        }
      }
      return [200, conferenceJson(conference)];
    }
    if ((m = /^\/Conferences\/([^/]+)\/Participants\.json$/.exec(r.path)) && r.method === 'POST') {
      const existing = ownConference(m[1]!);
      if (!existing && /^CF[0-9a-f]{32}$/.test(m[1]!)) return notFound();
      const conference = existing ?? this.conferenceNamed(r.accountSid, m[1]!, r.form.get('ConferenceStatusCallback') ?? undefined, ALL_CONFERENCE_EVENTS);
      const to = r.form.get('To') ?? '';
      if (!/^(\+\d{6,15}|client:[\w.@-]+|sip:.+)$/.test(to)) return [400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 }];
      const call = this.dialOut(r, to);
      const label = r.form.get('Label') ?? undefined;
      this.ring(call, () => {
        this.callStatusCallback(call);
        this.join(conference, call, label);
      });
      return [201, { call_sid: call.sid, conference_sid: conference.sid, status: 'queued', hold: false, muted: false, label: label ?? null }];
    }
    if ((m = /^\/Conferences\/([^/]+)\/Participants\/([^/]+)\.json$/.exec(r.path))) {
      const conference = ownConference(m[1]!);
      const participant = conference?.status === 'in-progress' ? conference.participants.get(m[2]!) : undefined;
      if (!conference || !participant) return notFound();
      if (r.method === 'GET') return [200, participantJson(conference, participant)];
      if (r.method === 'DELETE') {
        this.leave(conference, participant.callSid, 'participant_kicked');
        return [204, undefined];
      }
      const hold = r.form.get('Hold');
      const muted = r.form.get('Muted');
      if (hold !== null && (hold === 'true') !== participant.hold) {
        participant.hold = hold === 'true';
        this.participantCallback(conference, participant.hold ? 'participant-hold' : 'participant-unhold', participant);
      }
      if (muted !== null && (muted === 'true') !== participant.muted) {
        participant.muted = muted === 'true';
        this.participantCallback(conference, participant.muted ? 'participant-mute' : 'participant-unmute', participant);
      }
      return [200, participantJson(conference, participant)];
    }
    if (r.path === '/Messages.json' && r.method === 'POST') {
      const mediaUrls = r.form.getAll('MediaUrl');
      const message: FakeMessage = {
        accountSid: r.accountSid,
        sid: newSid(mediaUrls.length ? 'MM' : 'SM'),
        status: 'queued',
        from: r.form.get('From') ?? '',
        to: r.form.get('To') ?? '',
        body: r.form.get('Body') ?? '',
        mediaUrls,
        statusCallback: r.form.get('StatusCallback') ?? undefined,
      };
      this.messages.push(message);
      const callback = message.statusCallback;
      if (callback) {
        queueMicrotask(() => {
          for (const status of this.messageStatuses) {
            message.status = status;
            const params = { AccountSid: r.accountSid, MessageSid: message.sid, SmsSid: message.sid, MessageStatus: status, SmsStatus: status, From: message.from, To: message.to, ApiVersion: '2010-04-01' };
            this.send({ accountSid: r.accountSid, url: callback, params: status === 'undelivered' || status === 'failed' ? { ...params, ErrorCode: '30003' } : params });
          }
        });
      }
      return [201, { sid: message.sid, status: 'queued', direction: 'outbound-api', from: message.from, to: message.to, body: message.body, num_segments: '1', num_media: String(mediaUrls.length), error_code: null, error_message: null, date_created: now() }];
    }
    return notFound();
  }

  private updateCall(call: FakeCall, form: URLSearchParams): [number, unknown] {
    const status = form.get('Status');
    if (status === 'completed' || status === 'canceled') {
      if (status === 'canceled' && !['queued', 'initiated', 'ringing'].includes(call.status)) return [200, callJson(call)];
      if (LIVE.has(call.status)) this.endCall(call, status);
      return [200, callJson(call)];
    }
    const twiml = form.get('Twiml');
    const url = form.get('Url');
    if (twiml !== null || url !== null) {
      if (call.status !== 'in-progress') return [400, { code: 21220, message: 'Call is not in-progress. Cannot redirect.', more_info: 'https://www.twilio.com/docs/errors/21220', status: 400 }];
      this.redirected(call);
      if (twiml) this.runTwiml(call, twiml);
      else if (url) this.send({ accountSid: call.accountSid, url, params: this.voiceParams(call), onAnswer: (answer) => this.runTwiml(call, answer) });
      return [200, callJson(call)];
    }
    return [200, callJson(call)];
  }

  /**
   * A call leaves what its TwiML was doing: its queue (the action hears `redirected`), its own
   * `<Dial>` bridge, and the children it had dialled, which Twilio hangs up with the bridge.
   */
  private redirected(call: FakeCall) {
    this.leaveQueue(call, 'redirected');
    call.bridged = false;
    for (const child of [...this.calls.values()]) if (child.parentCallSid === call.sid && child.bridged && LIVE.has(child.status)) this.endCall(child, child.status === 'in-progress' ? 'completed' : 'canceled');
  }

  private voiceParams(call: FakeCall): Record<string, string> {
    return { AccountSid: call.accountSid, CallSid: call.sid, CallStatus: call.status, From: call.from, To: call.to, Direction: call.direction, ApiVersion: '2010-04-01' };
  }

  /** Takes a queued call out of its queue and reports why to the `<Enqueue action>`. */
  private leaveQueue(call: FakeCall, result: string) {
    const queue = call.queue;
    if (!queue) return;
    call.queue = undefined;
    const members = this.queues.get(queue.sid)!.members;
    members.splice(members.indexOf(call.sid), 1);
    if (queue.action) this.send({ accountSid: call.accountSid, url: queue.action, params: { ...this.voiceParams(call), QueueResult: result, QueueSid: queue.sid, QueueTime: String(Math.round((performance.now() - queue.since) / 1000)) } });
  }

  /** The few TwiML shapes Switchboard sends: `<Dial><Conference>`, `<Enqueue>`, `<Dial><Number|Client|Sip>`. */
  private runTwiml(call: FakeCall, twiml: string) {
    const decode = (text: string) => text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replaceAll('&amp;', '&');
    const attr = (tag: string, name: string) => {
      const found = new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`).exec(twiml)?.[1];
      return found === undefined ? undefined : decode(found);
    };
    const conference = /<Conference\b[^>]*>([^<]+)<\/Conference>/.exec(twiml);
    if (conference) {
      const events = (attr('Conference', 'statusCallbackEvent') ?? '').split(/\s+/).filter(Boolean);
      const target = this.conferenceNamed(call.accountSid, conference[1]!, attr('Conference', 'statusCallback'), events);
      this.join(target, call);
      return;
    }
    const enqueue = /<Enqueue\b[^>]*>([^<]+)<\/Enqueue>/.exec(twiml);
    if (enqueue) {
      if (call.conferenceSid) this.leave(this.conferences.get(call.conferenceSid)!, call.sid, 'participant_updated_via_api');
      const name = decode(enqueue[1]!);
      let queue = [...this.queues.values()].find((q) => q.accountSid === call.accountSid && q.friendlyName === name);
      if (!queue) {
        queue = { accountSid: call.accountSid, sid: newSid('QU'), friendlyName: name, members: [] };
        this.queues.set(queue.sid, queue);
      }
      queue.members.push(call.sid);
      call.queue = { sid: queue.sid, name, action: attr('Enqueue', 'action'), since: performance.now() };
      // Twilio asks the waitUrl for what the caller hears: the first request says the call is queued.
      const waitUrl = attr('Enqueue', 'waitUrl');
      const size = String(queue.members.length);
      if (waitUrl) this.send({ accountSid: call.accountSid, url: waitUrl, params: { ...this.voiceParams(call), QueueSid: queue.sid, QueuePosition: size, QueueTime: '0', AvgQueueTime: '0', CurrentQueueSize: size } });
      return;
    }
    const dialled = /<(Number|Client|Sip)\b[^>]*>([^<]+)<\/\1>/.exec(twiml);
    if (dialled) {
      if (call.conferenceSid) this.leave(this.conferences.get(call.conferenceSid)!, call.sid, 'participant_updated_via_api');
      const noun = dialled[1]!;
      const child = this.addCall(call.accountSid, {
        from: attr('Dial', 'callerId') ?? call.to,
        to: noun === 'Client' ? `client:${dialled[2]}` : dialled[2]!,
        status: 'queued',
        direction: 'outbound-dial',
        parentCallSid: call.sid,
        statusCallback: attr(noun, 'statusCallback'),
      });
      child.statusEvents = (attr(noun, 'statusCallbackEvent') ?? 'completed').split(/\s+/);
      queueMicrotask(() => {
        for (const status of ['initiated', 'ringing']) {
          child.status = status;
          this.callStatusCallback(child);
        }
      });
    }
  }
}

function callJson(call: FakeCall) {
  return {
    account_sid: call.accountSid,
    answered_by: null,
    caller_name: null,
    date_created: call.dateCreated,
    date_updated: now(),
    direction: call.direction,
    duration: call.endTime ? '0' : null,
    end_time: call.endTime ?? null,
    forwarded_from: null,
    from: call.from,
    from_formatted: call.from,
    parent_call_sid: call.parentCallSid ?? null,
    phone_number_sid: null,
    price: null,
    price_unit: 'USD',
    sid: call.sid,
    start_time: call.dateCreated,
    status: call.status,
    to: call.to,
    to_formatted: call.to,
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
  };
}

function conferenceJson(conference: FakeConference) {
  return { sid: conference.sid, account_sid: conference.accountSid, friendly_name: conference.friendlyName, status: conference.status, reason_conference_ended: null, call_sid_ending_conference: null };
}

function participantJson(conference: FakeConference, p: FakeParticipant) {
  return { account_sid: conference.accountSid, call_sid: p.callSid, conference_sid: conference.sid, hold: p.hold, muted: p.muted, coaching: false, status: p.status, label: p.label ?? null };
}
