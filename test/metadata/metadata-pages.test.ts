import { describe, expect, it } from 'vitest';
import { readFixture } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

const seed = readFixture('get-session-metadata-page.txt');

const unescape = (html: string) =>
  html.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const cells = (row: string) => [...row.matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((m) => unescape(m[1]!));
const squeeze = (xml: string) => xml.replace(/>\s+</g, '><').trim();

describe('metadata pages', () => {
  it('documents every parameter row of the seed page, generated from the schemas', async () => {
    const { url } = await startTestServer();
    const page = await (await fetch(`${url}/xml/metadata?op=GetSession`)).text();
    const trimEnd = (row: string) => row.replace(/[\s|]+$/, '');
    const ours = [...page.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => trimEnd(cells(m[1]!).join(' | ')));
    const seedRows = seed
      .split('\n')
      .map(trimEnd)
      .filter((line) => / \| (path|form|query|body) \| /.test(line));
    expect(seedRows.length).toBeGreaterThan(50);
    for (const row of seedRows) expect(ours, row).toContain(row);
  });

  it("lists every enum's values in declaration order", async () => {
    const { url } = await startTestServer();
    const page = await (await fetch(`${url}/xml/metadata?op=GetSession`)).text();
    const enums = [...page.matchAll(/<caption><b>(\w+)<\/b> Enum:<\/caption><tbody>(.*?)<\/tbody>/g)].map(
      (m) => `${m[1]}: ${cells(m[2]!).join(' ')}`,
    );
    expect(enums).toEqual([
      'SessionDialState: None Active',
      'SessionCallState: Disconnected Ringing Connected Hold Passive',
      'SessionQueueStates: None Queued Ringing Connected Hold Disconnected',
      'FlowChannels: Voice Chat Fax',
      'SessionHoldReasons: None Transferring',
      'SessionMemberCallState: None Ringing Connected Hold',
      'SessionMemberRoles: None Caller Agent Transfer',
      'SessionDirections: Incoming Outgoing',
    ]);
  });

  it("shows the seed's sample XML response, whitespace aside", async () => {
    const { url } = await startTestServer();
    const page = await (await fetch(`${url}/xml/metadata?op=GetSession`)).text();
    const response = unescape(/<div class="response"><pre>([\s\S]*?)<\/pre>/.exec(page)![1]!);
    expect(response.startsWith('HTTP/1.1 200 OK\nContent-Type: application/xml\nContent-Length: length\n\n')).toBe(true);
    const sample = response.slice(response.indexOf('<SessionInfo'));
    const fixture = readFixture('session-seed-sample.xml').replace('<?xml version="1.0" encoding="utf-8"?>', '');
    expect(squeeze(sample)).toBe(fixture);
    expect(page).toContain('GET /sessions/{sessionId} HTTP/1.1');
    expect(page).toContain('To override the Content-type in your clients, use the HTTP <b>Accept</b> Header, append the <b>.xml</b> suffix or <b>?format=xml</b>');
  });

  it('says which operations require authentication and which roles', async () => {
    const { url } = await startTestServer();
    expect(await (await fetch(`${url}/xml/metadata?op=GetSession`)).text()).toContain('<b>Requires Authentication</b>');
    expect(await (await fetch(`${url}/xml/metadata?op=PostSessionEvents`)).text()).toContain('<th>Required roles (any of):</th><td>Manager</td>');
    expect(await (await fetch(`${url}/xml/metadata?op=Authenticate`)).text()).not.toContain('Requires Authentication');
  });

  it('serves JSON and CSV pages, an index and an OpenAPI document', async () => {
    const { url } = await startTestServer();
    const json = await (await fetch(`${url}/json/metadata?op=getsession`)).text();
    expect(json).toContain('&#34;dialState&#34;: &#34;None&#34;');
    const csv = await fetch(`${url}/csv/metadata?op=GetSession`);
    expect(csv.status).toBe(200);
    const index = await (await fetch(`${url}/metadata`)).text();
    expect(index).toContain('href="/xml/metadata?op=GetSession"');
    const openapi = (await (await fetch(`${url}/openapi`)).json()) as {
      paths: Record<string, { get?: { operationId: string } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(openapi.paths['/sessions/{sessionId}']?.get?.operationId).toBe('GetSession');
    expect(Object.keys(openapi.components.schemas.SessionInfo!.properties!)).toContain('wasMissed');
    expect(openapi.paths['/auth/{provider}']).toBeDefined();
    expect((openapi.paths['/auth/{provider}'] as Record<string, { security?: unknown[] }>).post?.security).toEqual([]);
    expect((await fetch(`${url}/xml/metadata?op=Nope`)).status).toBe(404);
  });
});
