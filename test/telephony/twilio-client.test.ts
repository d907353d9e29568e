import twilio from 'twilio';
import { describe, expect, it, onTestFinished } from 'vitest';
import { twilioClients } from '../../src/telephony/twilio-client.js';
import { telephonyFailure } from '../../src/telephony/twilio-errors.js';
import { deadUrl, FAULTS, TwilioFake } from '../support/twilio-fake.js';

const A = { sid: 'AC1111111111111111111111111111aaaa', token: 'token-a-0123456789' };
const B = { sid: 'AC2222222222222222222222222222bbbb', token: 'token-b-0123456789' };

async function fake() {
  const started = await TwilioFake.start({ accounts: [A, B] });
  onTestFinished(() => started.close());
  return started;
}

const clientsFor = (url: string, timeoutMs = 2000, maxRetries = 2) => twilioClients({ apiBaseUrl: url, timeoutMs, maxRetries });
const failureOf = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a failure'), (error: unknown) => telephonyFailure(error, 'the test command'));

describe('the Twilio client over a configurable base URL', () => {
  it('sends the official client’s requests to the base URL with the account’s own credentials', async () => {
    const twilioFake = await fake();
    const call = twilioFake.addCall(A.sid, { from: '+15035551234', to: '+15035550000' });
    const clients = clientsFor(twilioFake.url);
    const fetched = await clients.forAccount({ accountSid: A.sid, authToken: A.token }).calls(call.sid).fetch();
    expect(fetched).toMatchObject({ sid: call.sid, status: 'in-progress', from: '+15035551234' });
    await clients.forAccount({ accountSid: A.sid, authToken: A.token }).calls(call.sid).update({ status: 'completed' });
    expect(twilioFake.requests.map((r) => [r.method, r.fullPath, r.username, r.password, r.form.get('Status')])).toEqual([
      ['GET', `/2010-04-01/Accounts/${A.sid}/Calls/${call.sid}.json`, A.sid, A.token, null],
      ['POST', `/2010-04-01/Accounts/${A.sid}/Calls/${call.sid}.json`, A.sid, A.token, 'completed'],
    ]);
    // Another tenant's credentials do not open this account's calls.
    const foreign = await failureOf(clients.forAccount({ accountSid: B.sid, authToken: B.token }).calls(call.sid).fetch());
    expect(foreign.error).toMatchObject({ code: 'CallNotActive', status: 409, meta: { twilioCode: '20404' } });
  });

  it('keeps repeated form keys as repeated keys (StatusCallbackEvent)', async () => {
    const twilioFake = await fake();
    await clientsFor(twilioFake.url)
      .forAccount({ accountSid: A.sid, authToken: A.token })
      .calls.create({ to: '+15035550100', from: '+15035550000', url: 'https://sb.example.com/twilio/voice', statusCallbackEvent: ['initiated', 'answered'] });
    expect(twilioFake.requests[0]!.form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'answered']);
  });

  it('maps Twilio’s answers and transport failures onto errors a client can act on', async () => {
    const twilioFake = await fake();
    const call = twilioFake.addCall(A.sid, { from: '+15035551234', to: '+15035550000' });
    const client = clientsFor(twilioFake.url, 300, 2).forAccount({ accountSid: A.sid, authToken: A.token });
    const attempt = () => failureOf(client.calls(call.sid).update({ status: 'completed' }));
    const cases = [
      [FAULTS.authFailed, 'TelephonyAuthFailed', 502, '20003', 'refused'],
      [FAULTS.serverError, 'TelephonyError', 502, '20500', 'refused'],
      [FAULTS.htmlUnavailable, 'TelephonyError', 502, undefined, 'refused'],
      [FAULTS.notFound, 'CallNotActive', 409, '20404', 'notActive'],
      [FAULTS.notInProgress, 'CallNotActive', 409, '21220', 'notActive'],
      [FAULTS.invalidTo, 'TelephonyRejected', 400, '21211', 'refused'],
      [FAULTS.reset, 'TelephonyOutcomeUnknown', 504, undefined, 'unknown'],
      [{ kind: 'delay', ms: 800 }, 'TelephonyOutcomeUnknown', 504, undefined, 'unknown'],
    ] as const;
    for (const [fault, code, status, twilioCode, outcome] of cases) {
      twilioFake.inject(fault);
      const failure = await attempt();
      expect(failure.error, code).toMatchObject({ code, status });
      expect(failure.outcome, code).toBe(outcome);
      expect(failure.error.meta?.twilioCode, code).toBe(twilioCode);
    }
    // 429 is retried by the client (maxRetries 2 → 3 attempts), then reported.
    const before = twilioFake.requests.length;
    twilioFake.inject(FAULTS.rateLimited, () => true, 3);
    const limited = await attempt();
    expect(limited.error).toMatchObject({ code: 'TelephonyRateLimited', status: 503, headers: { 'Retry-After': '1' } });
    expect(twilioFake.requests.length - before).toBe(3);
    // Nothing listening. (Not the fake once closed: Node's global http agent keeps sockets alive, and
    // a pooled socket the server closed fails with ECONNRESET, an unknown outcome.)
    const fresh = clientsFor(await deadUrl()).forAccount({ accountSid: A.sid, authToken: A.token });
    const refused = await failureOf(fresh.calls(call.sid).update({ status: 'completed' }));
    expect(refused.error).toMatchObject({ code: 'TelephonyUnavailable', status: 503, meta: { transport: 'ECONNREFUSED' } });
    expect(refused.error.message).toMatch(/nothing was changed/);
  });

  it('signs its callbacks as Twilio does: the official validator accepts them', async () => {
    const twilioFake = await fake();
    const seen: { url: string; signature: string; body: string }[] = [];
    const { createServer } = await import('node:http');
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, signature: String(req.headers['x-twilio-signature']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as { port: number }).port;
    twilioFake.switchboardUrl = `http://127.0.0.1:${port}`;
    const call = twilioFake.addCall(A.sid, { from: '+15035551234', to: '+15035550000', statusCallback: 'https://sb.example.com/twilio/voice/status?sessionId=abc' });
    twilioFake.setCallStatus(call.sid, 'completed');
    await twilioFake.settled();
    expect(seen).toHaveLength(1);
    const params = Object.fromEntries(new URLSearchParams(seen[0]!.body));
    expect(seen[0]!.url).toBe('/twilio/voice/status?sessionId=abc');
    expect(twilio.validateRequest(A.token, seen[0]!.signature, 'https://sb.example.com/twilio/voice/status?sessionId=abc', params)).toBe(true);
    expect(twilio.validateRequest(A.token, seen[0]!.signature, 'https://sb.example.com/twilio/voice/status?sessionId=abc', { ...params, CallStatus: 'busy' })).toBe(false);
  });
});
