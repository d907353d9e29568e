import { JsonServiceClient, type IReturn } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

/** The DTO as Evo Voice's generated TypeScript reference declares it. */
class GetSession implements IReturn<SessionInfo> {
  sessionId?: string;
  constructor(init?: Partial<GetSession>) {
    Object.assign(this, init);
  }
  getTypeName() {
    return 'GetSession';
  }
  getMethod() {
    return 'GET';
  }
  createResponse() {
    return {} as SessionInfo;
  }
}

describe('@servicestack/client JsonServiceClient', () => {
  it('reads a session by DTO through /api/GetSession', async () => {
    const golden = goldenSession();
    const { url } = await startTestServer([golden]);
    const client = new JsonServiceClient(url);
    const session = await client.get(new GetSession({ sessionId: golden.id }));
    expect(session).toEqual(golden);
    expect(session.log).toHaveLength(3);
  });

  it('reads a session through /json/reply when basePath is null', async () => {
    const golden = goldenSession();
    const { url } = await startTestServer([golden]);
    const client = new JsonServiceClient(url);
    client.basePath = null as unknown as string;
    client.replyBaseUrl = `${url}/json/reply/`;
    expect((await client.get(new GetSession({ sessionId: golden.id }))).id).toBe(golden.id);
  });

  it('gets a typed 404 responseStatus for a missing session', async () => {
    const { url } = await startTestServer();
    const client = new JsonServiceClient(url);
    const error = await client.get(new GetSession({ sessionId: 'missing' })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      responseStatus: { errorCode: 'NotFound', message: "Session 'missing' does not exist", errors: [] },
    });
    const result = await client.api(new GetSession({ sessionId: 'missing' }));
    expect(result.error?.errorCode).toBe('NotFound');
  });
});
