import { JsonServiceClient } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import { operations } from '../../src/app.js';
import { operationName } from '../../src/http/operation.js';
import { AppendSessionLog, GetSession, PatchSession } from '../support/client-dtos.js';
import { addAccount, addUser, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { session } from '../support/sessions.js';

/** Sessions in two accounts, and a client signed in as an agent of the first only. */
async function batchServer() {
  const seed = [
    session({ id: 'own_1', accountId: 'acct_acme' }),
    session({ id: 'own_2', accountId: 'acct_acme' }),
    session({ id: 'foreign', accountId: 'acct_other' }),
  ];
  const server = await startTestServer(seed);
  await addAccount(server.store, 'acct_acme', 'Acme');
  await addAccount(server.store, 'acct_other', 'Other');
  const agent = await addUser(server.store, 'dana@acme.test', ['User'], ['acct_acme'], 'correct horse');
  const client = new JsonServiceClient(server.url);
  client.setCredentials('dana@acme.test', 'correct horse');
  const completed: (string | null)[] = [];
  client.responseFilter = (res) => completed.push(res.headers.get('X-AutoBatch-Completed'));
  return { ...server, client, completed, agentCookie: await signInCookie(server.store, agent) };
}

const logOf = async (client: JsonServiceClient, id: string) =>
  ((await client.get(new GetSession({ sessionId: id }))).log ?? []).map((l) => l.message);

describe('auto-batched requests, as @servicestack/client sends them', () => {
  it('sendAll answers every item in order, through /api and /json/reply', async () => {
    const { client, completed, url } = await batchServer();
    const sessions = await client.sendAll([new GetSession({ sessionId: 'own_2' }), new GetSession({ sessionId: 'own_1' })]);
    expect(sessions.map((s) => s.id)).toEqual(['own_2', 'own_1']);
    expect(sessions[0]!.log).toHaveLength(2);
    expect(completed).toEqual(['2']);

    client.basePath = null as unknown as string;
    client.replyBaseUrl = `${url}/json/reply/`;
    expect((await client.sendAll([new GetSession({ sessionId: 'own_1' })])).map((s) => s.id)).toEqual(['own_1']);
  });

  it('authorizes each item on its own: the first foreign one stops the batch with its index, after what ran before it', async () => {
    const { client, completed } = await batchServer();
    const error = await client
      .sendAll([
        new AppendSessionLog({ sessionId: 'own_1', message: 'first' }),
        new AppendSessionLog({ sessionId: 'foreign', message: 'second' }),
        new AppendSessionLog({ sessionId: 'own_2', message: 'third' }),
      ])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ responseStatus: { errorCode: 'Forbidden', meta: { AutoBatchIndex: '1' } } });
    expect(completed).toEqual(['1']);
    // The item before the failure took effect; the one after it never ran.
    expect(await logOf(client, 'own_1')).toContain('first');
    expect(await logOf(client, 'own_2')).not.toContain('third');
  });

  it('a bad item is refused before any item runs, naming its index', async () => {
    const { client, completed } = await batchServer();
    const error = await client
      .sendAll([new PatchSession({ sessionId: 'own_1', consoleData: 'x' }), Object.assign(new PatchSession({ sessionId: 'own_2' }), { callState: 'Holding' })])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ responseStatus: { errorCode: 'SerializationException', meta: { AutoBatchIndex: '1' }, errors: [{ fieldName: 'CallState' }] } });
    expect(completed).toEqual(['0']);
    expect((await client.get(new GetSession({ sessionId: 'own_1' }))).consoleData).not.toBe('x');
  });

  it('sendAllOneWay applies every item', async () => {
    const { client } = await batchServer();
    await client.sendAllOneWay([new PatchSession({ sessionId: 'own_1', consoleData: 'one' }), new PatchSession({ sessionId: 'own_2', consoleData: 'two' })]);
    expect((await client.get(new GetSession({ sessionId: 'own_2' }))).consoleData).toBe('two');
  });

  it('refuses an anonymous batch as the single request is refused', async () => {
    const { url } = await batchServer();
    const error = await new JsonServiceClient(url).sendAll([new GetSession({ sessionId: 'own_1' })]).catch((e: unknown) => e);
    expect(error).toMatchObject({ responseStatus: { errorCode: '401' } });
  });

  it('serves every operation batched, XML batches too, and refuses what is not a batch', async () => {
    const { url, store, agentCookie } = await batchServer();
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(url + path, { method: 'POST', body, headers: { cookie: agentCookie, 'content-type': type } });
    for (const op of operations(store)) {
      const res = await post(`/api/${operationName(op)}[]`, '[]');
      // An empty batch runs nothing; only the role check (403 for an agent) can refuse it.
      expect([200, 204, 403], operationName(op)).toContain(res.status);
      if (res.status === 200) expect(await res.json()).toEqual([]);
    }
    const xml = await post(
      '/xml/reply/GetSession[]',
      '<ArrayOfGetSession xmlns="http://schemas.datacontract.org/2004/07/Voice.Api.Sessions"><GetSession><SessionId>own_1</SessionId></GetSession><GetSession><SessionId>own_2</SessionId></GetSession></ArrayOfGetSession>',
      'application/xml',
    );
    expect(xml.status).toBe(200);
    const text = await xml.text();
    expect(text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><ArrayOfSessionInfo xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xmlns="http:\/\/schemas.datacontract.org\/2004\/07\/Voice.Api.Sessions"><SessionInfo><CreatedBy /);
    expect([...text.matchAll(/<Id xmlns="[^"]+">(\w+)<\/Id>/g)].map((m) => m[1])).toEqual(['own_1', 'own_2']);

    const notArray = await post('/api/GetSession[]', '{"sessionId":"own_1"}');
    expect(notArray.status).toBe(400);
    expect((await notArray.json()).responseStatus.message).toBe("An auto-batched request's body is an array of GetSession requests");
    expect((await post('/api/NoSuchThing[]', '[]')).status).toBe(405);
  });
});
