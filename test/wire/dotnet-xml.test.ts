import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../src/app.js';
import { bindBody, bindXmlBody } from '../../src/http/bind-request.js';
import { operationName } from '../../src/http/operation.js';
import type { Dto } from '../../src/model/dto.js';
import { fromXml } from '../../src/model/from-xml.js';
import { membersOf, type MemberType } from '../../src/model/members.js';
import { SessionInfo } from '../../src/model/session-info.js';
import { parseXml } from '../../src/wire/xml-reader.js';
import { addUser, signInCookie } from '../support/directory.js';
import { dotnetHarness, monoAvailable, monoRequired, type DotnetHarness, type ToWrite } from '../support/dotnet.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';
import { openFileStore } from '../support/test-store.js';

// Text .NET must carry through unchanged: markup, quotes, non-ASCII, an astral character, a newline.
const TRICKY = `Dana <dana@acme.test> & "Sons" 'Ltd' é ☎ 😀\nline two`;

/** A value of every member, as unlike the defaults as the type allows: two items per list. */
function richValue(dto: Dto, depth = 0): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const member of membersOf(dto)) {
    const v = richOf(member.type, member.name, depth);
    if (v !== undefined) value[member.key] = v;
  }
  return value;
}

function richOf(type: MemberType, name: string, depth: number): unknown {
  switch (type.kind) {
    case 'string':
      return `${name}: ${TRICKY}`;
    case 'bool':
      return true;
    case 'int':
      return 42;
    case 'enum':
      return type.def.values[type.def.values.length - 1];
    case 'dictionary':
      return { first: TRICKY, 'second key': '' };
    case 'list':
      return type.item.kind === 'dto' && depth > 2 ? [] : [richOf(type.item, name + '1', depth + 1), richOf(type.item, name + '2', depth + 1)];
    case 'dto':
      return depth > 2 ? undefined : richValue(type.dto, depth + 1);
  }
}

if (!monoAvailable && !monoRequired) console.warn('dotnet-xml: mono is not installed here, so .NET\'s DataContractSerializer tests do not run (CI installs it)');

// On CI (CI=true) these run whether or not mono is found, and fail without it.
describe.runIf(monoAvailable || monoRequired)(".NET's DataContractSerializer and Switchboard's XML", () => {
  let requestDtos: Dto[] = [];
  let harness: DotnetHarness & { close(): void };
  let written: string[] = [];

  // Every operation's request DTO, filled in full, then a few bodies for the HTTP tests below.
  beforeAll(async () => {
    const { store, close } = await openFileStore();
    requestDtos = operations(store).map((op) => op.request);
    await close();
    const toWrite: ToWrite[] = requestDtos.map((dto) => ({ dto, value: richValue(dto) }));
    harness = await dotnetHarness(toWrite, []);
    written = await harness.written();
  }, 120_000);
  afterAll(() => harness?.close());

  it('reads every request DTO .NET writes exactly as the same DTO in JSON', () => {
    expect(requestDtos.length).toBeGreaterThan(20);
    requestDtos.forEach((dto, i) => {
      const xml = written[i]!;
      expect(xml, dto.meta.name).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="utf-8"\\?><${dto.meta.name} `));
      expect(bindXmlBody(dto, xml), dto.meta.name).toEqual(bindBody(dto, JSON.parse(JSON.stringify(richValue(dto)))));
    });
  });

  it('refuses what .NET would refuse, with the errors JSON gets', () => {
    const listSessions = requestDtos.find((d) => d.meta.name === 'ListSessions')!;
    const xml = written[requestDtos.indexOf(listSessions)]!;
    const badInt = xml.replace(/(<CountPerPage[^>]*>)42</, '$1many<');
    expect(badInt).not.toBe(xml);
    const xmlError = catchError(() => bindXmlBody(listSessions, badInt));
    const jsonError = catchError(() => bindBody(listSessions, { countPerPage: 'many' }));
    expect(xmlError).toMatchObject({ code: 'SerializationException', fieldErrors: [{ fieldName: 'CountPerPage' }] });
    expect(xmlError.message).toBe(jsonError.message);

    const wrongRoot = catchError(() => bindXmlBody(listSessions, xml.replaceAll('ListSessions', 'GetSession')));
    expect(wrongRoot).toMatchObject({ code: 'SerializationException', fieldErrors: [{ fieldName: 'ListSessions' }] });
    expect(catchError(() => bindXmlBody(listSessions, xml.slice(0, -20)))).toMatchObject({ code: 'BadRequest' });
    const dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ListSessions>&a;</ListSessions>';
    expect(catchError(() => bindXmlBody(listSessions, dtd)).message).toMatch(/not valid XML: A DTD is not accepted/);
  });
});

describe.runIf(monoAvailable || monoRequired)('XML over HTTP, written and read by .NET', () => {
  it('accepts .NET-written bodies on custom and predefined routes, and .NET reads every XML answer', async () => {
    const golden = goldenSession();
    const server = await startTestServer([golden]);
    const manager = await addUser(server.store, 'manager@acme.test', ['Manager'], [golden.accountId!]);
    const admin = await addUser(server.store, 'root@acme.test', ['SystemAdministrator'], []);
    const managerCookie = await signInCookie(server.store, manager);
    const adminCookie = await signInCookie(server.store, admin);
    const store = server.store;
    const dtoNamed = (name: string) => operations(store).find((op) => operationName(op) === name)!.request;

    const bodies: ToWrite[] = [
      { dto: dtoNamed('PatchSession'), value: { sessionId: golden.id, consoleData: TRICKY, callState: 'Hold' } },
      { dto: dtoNamed('AppendSessionLog'), value: { sessionId: golden.id, message: 'Called back <ok> & done' } },
      { dto: dtoNamed('ListSessions'), value: { accountIds: [golden.accountId!], countPerPage: 1, simplifiedPaging: true } },
      { dto: dtoNamed('GetSession'), value: { sessionId: golden.id } },
      { dto: dtoNamed('NewAccount'), value: { name: 'Acme & <Sons>' } },
      // .NET DateTimes, as Evo's contract has them: UTC ("…Z") and unspecified (no zone, read as UTC).
      {
        dto: dtoNamed('DeleteSessions'),
        value: { accountId: golden.accountId, startDateTime: { utc: new Date('2020-01-01T08:30:00.123Z') }, endDateTime: { unspecified: new Date('2020-01-02T00:00:00Z') } },
        dates: ['startDateTime', 'endDateTime'],
      },
    ];
    const harness = await dotnetHarness(bodies, []);
    const [patch, append, list, get, newAccount, deleteSessions] = await harness.written();
    expect(deleteSessions).toContain('<StartDateTime>2020-01-01T08:30:00.123Z</StartDateTime>');
    expect(deleteSessions).toContain('<EndDateTime>2020-01-02T00:00:00</EndDateTime>');
    harness.close();

    const send = async (method: string, path: string, body: string, contentType?: string, cookie = managerCookie) => {
      const res = await fetch(server.url + path, { method, body: body || undefined, headers: { cookie, ...(contentType ? { 'content-type': contentType } : {}) } });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };

    // A custom route reads the body the Content-Type names, and (Accept: */*) answers in kind.
    const patched = await send('PATCH', `/sessions/${golden.id}`, patch!, 'application/xml');
    expect(patched.status, patched.text).toBe(200);
    expect(patched.type).toBe('application/xml');
    expect(fromXml(SessionInfo, parseXml(patched.text))).toMatchObject({ ok: true, value: { id: golden.id, consoleData: TRICKY, callState: 'Hold' } });
    // /xml/reply reads XML whatever the body is labelled (here: nothing) and answers XML.
    const appended = await send('POST', '/xml/reply/AppendSessionLog', append!);
    expect(appended.status, appended.text).toBe(200);
    expect(appended.type).toBe('application/xml');
    expect(appended.text).toContain('<Message>Called back &lt;ok&gt; &amp; done</Message>');
    // /api reads JSON unless the body says it is XML.
    const got = await send('POST', '/api/GetSession', get!, 'text/xml');
    expect(got.status, got.text).toBe(200);
    expect(JSON.parse(got.text).id).toBe(golden.id);
    const listed = await send('POST', '/xml/reply/ListSessions', list!, 'application/xml');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.text).toContain('<HasMorePages>false</HasMorePages>');
    const account = await send('POST', '/accounts?format=json', newAccount!, 'application/xml', adminCookie);
    expect(account.status, account.text).toBe(200);
    expect(JSON.parse(account.text).name).toBe('Acme & <Sons>');

    // A range of .NET DateTimes before the session: read, checked, and nothing deleted.
    const deleted = await send('POST', '/xml/reply/DeleteSessions', deleteSessions!);
    expect(deleted.status, deleted.text).toBe(204);
    expect((await send('GET', `/sessions/${golden.id}.json`, '')).status).toBe(200);
    const backwards = await send('POST', '/xml/reply/DeleteSessions', deleteSessions!.replace('2020-01-02T00:00:00<', '2019-01-02T00:00:00<'));
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('<FieldName>EndDateTime</FieldName>');

    // The same mistakes as JSON: the same status and the same ResponseStatus.
    const badXml = await send('PATCH', `/sessions/${golden.id}.json`, patch!.replace('<CallState>Hold</CallState>', '<CallState>Holding</CallState>'), 'application/xml');
    const badJson = await send('PATCH', `/sessions/${golden.id}.json`, JSON.stringify({ callState: 'Holding' }), 'application/json');
    expect(badXml.status).toBe(400);
    expect(JSON.parse(badXml.text)).toEqual(JSON.parse(badJson.text));
    const missingId = await send('POST', '/xml/reply/AppendSessionLog', append!.replace(/<SessionId>[^<]*<\/SessionId>/, '<SessionId i:nil="true" />'));
    expect(missingId.status).toBe(400);
    expect(missingId.text).toContain('<ErrorCode>NotEmpty</ErrorCode>');
    const broken = await send('POST', '/api/GetSession', '<GetSession><SessionId>x</Session', 'application/xml');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text).responseStatus).toMatchObject({ errorCode: 'BadRequest', message: expect.stringMatching(/^The request body is not valid XML/) });

    // .NET reads each XML answer into its contract; what it read, written back, is what JSON says.
    const accountId = JSON.parse(account.text).id as string;
    const ops = operations(store);
    const responseOf = (name: string) => ops.find((op) => operationName(op) === name)!.response!;
    const reads: [string, Dto, string][] = [
      [`/sessions/${golden.id}`, SessionInfo, managerCookie],
      ['/sessions', responseOf('ListSessions'), managerCookie],
      ['/sessions?simplifiedPaging=true&countPerPage=1', responseOf('ListSessions'), managerCookie],
      [`/accounts/${accountId}`, responseOf('GetAccount'), adminCookie],
      ['/accounts', responseOf('ListAccounts'), adminCookie],
      ['/accounts?simplifiedPaging=true', responseOf('ListAccounts'), adminCookie],
      ['/customers', responseOf('ListCustomers'), adminCookie],
      ['/endpoints', responseOf('ListEndpoints'), adminCookie],
      [`/users/${manager.id}`, responseOf('GetUser'), adminCookie],
      ['/users?simplifiedPaging=true', responseOf('ListUsers'), adminCookie],
    ];
    const xmls: string[] = [];
    const jsons: unknown[] = [];
    for (const [path, , cookie] of reads) {
      const [xml, json] = await Promise.all(
        ['xml', 'json'].map(async (format) => {
          const res = await fetch(`${server.url}${path}${path.includes('?') ? '&' : '?'}format=${format}`, { headers: { cookie } });
          expect(res.status, path).toBe(200);
          return res.text();
        }),
      );
      xmls.push(xml!);
      jsons.push(JSON.parse(json!));
    }
    const reader = await dotnetHarness([], reads.map(([, dto]) => dto));
    const readBack = await reader.readBack(xmls).finally(() => reader.close());
    reads.forEach(([path, dto], i) => {
      const understood = fromXml(dto, parseXml(readBack[i]!));
      expect(understood.ok, path).toBe(true);
      expect(understood.ok && understood.value, path).toEqual(jsons[i]);
    });
  }, 120_000);
});

function catchError(fn: () => unknown): Error & { code?: string; fieldErrors?: unknown } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
