import { JsonServiceClient } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import { goldenSession } from '../support/fixtures.js';
import type { Role } from '../../src/http/operation.js';
import { GetSession } from '../support/client-dtos.js';
import { addAccount, addUser } from '../support/directory.js';
import { startTestServer } from '../support/server.js';

/** A server with the golden session, and a client signed in by Basic auth as an agent of its account. */
async function agentClient(seed = [goldenSession()], roles: Role[] = ['User']) {
  const server = await startTestServer(seed);
  await addAccount(server.store, 'acct_acme', 'Acme & Sons <Support>');
  await addUser(server.store, 'dana@acme.test', roles, ['acct_acme'], 'correct horse');
  const client = new JsonServiceClient(server.url);
  client.setCredentials('dana@acme.test', 'correct horse');
  return { ...server, client };
}

describe('@servicestack/client JsonServiceClient', () => {
  it('reads a session by DTO through /api/GetSession', async () => {
    const golden = goldenSession();
    const { client } = await agentClient([golden]);
    const session = await client.get(new GetSession({ sessionId: golden.id }));
    expect(session).toEqual(golden);
    expect(session.log).toHaveLength(3);
  });

  it('reads a session through /json/reply when basePath is null', async () => {
    const golden = goldenSession();
    const { url, client } = await agentClient([golden]);
    client.basePath = null as unknown as string;
    client.replyBaseUrl = `${url}/json/reply/`;
    expect((await client.get(new GetSession({ sessionId: golden.id }))).id).toBe(golden.id);
  });

  // To a caller scoped to accounts, a missing session and a foreign one look alike (403): the
  // tenant wall never confirms that an id exists. A caller who sees every account gets the 404.
  it('gets a typed 404 responseStatus for a missing session', async () => {
    const { client } = await agentClient([], ['SystemAdministrator']);
    const error = await client.get(new GetSession({ sessionId: 'missing' })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      responseStatus: { errorCode: 'NotFound', message: "Session 'missing' does not exist", errors: [] },
    });
    const result = await client.api(new GetSession({ sessionId: 'missing' }));
    expect(result.error?.errorCode).toBe('NotFound');
  });
});
