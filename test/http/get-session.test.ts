import { describe, expect, it } from 'vitest';
import { goldenSession, readFixture } from '../support/fixtures.js';
import { startSignedInServer } from '../support/server.js';

const golden = goldenSession();
const id = golden.id!;
const goldenJson = JSON.stringify(golden);
const goldenXml = readFixture('session-golden.xml');

const signedIn = (seed = [golden]) => startSignedInServer(seed);

describe('GET /sessions/{sessionId}', () => {
  it('answers JSON with the golden bytes, log included', async () => {
    const { url, fetch } = await signedIn();
    const res = await fetch(`${url}/sessions/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('vary')).toBe('Accept');
    expect(await res.text()).toBe(goldenJson);
  });

  it('answers XML byte for byte as .NET writes it', async () => {
    const { url, fetch } = await signedIn();
    const res = await fetch(`${url}/sessions/${id}.xml`);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(await res.text()).toBe(goldenXml);
  });

  it('answers CSV as an attachment with one row', async () => {
    const { url, fetch } = await signedIn();
    const res = await fetch(`${url}/sessions/${id}?format=csv`);
    expect(res.headers.get('content-type')).toBe('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment;filename="GetSession.csv"');
    const [header, row, end] = (await res.text()).split('\r\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['Id', 'DateCreated', 'DateLastModified']);
    expect(row).toContain('Acme & Sons <Support>');
    expect(row).toContain('"O\'Brien ""Pat"""');
    expect(end).toBe('');
  });

  it('gives a browser a readable page with the log as a timeline and links to the other formats', async () => {
    const { url, fetch } = await signedIn();
    const res = await fetch(`${url}/sessions/${id}`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<ol class="timeline">');
    expect(html).toContain('Placed on hold (Transferring) by user_dana');
    expect(html).toContain('Acme &#38; Sons &#60;Support&#62;');
    expect(html).toContain(`href="/sessions/${id}.xml"`);
    expect(html).toContain('Dana Agent');
  });

  it('answers 404 NotFound with a ResponseStatus in JSON and XML', async () => {
    const { url, fetch } = await signedIn();
    const json = await fetch(`${url}/sessions/missing`);
    expect(json.status).toBe(404);
    expect(json.statusText).toBe('NotFound');
    expect(await json.json()).toEqual({
      responseStatus: { errorCode: 'NotFound', message: "Session 'missing' does not exist", errors: [] },
    });
    const xml = await fetch(`${url}/sessions/missing`, { headers: { accept: 'application/xml' } });
    expect(await xml.text()).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.servicestack.net/types"><ResponseStatus><ErrorCode>NotFound</ErrorCode><Message>Session \'missing\' does not exist</Message><StackTrace i:nil="true" /><Errors /><Meta xmlns:d3p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays" i:nil="true" /></ResponseStatus></ErrorResponse>',
    );
  });

  it('answers many GETs at once, each with its own session and the missing ones with 404', async () => {
    // Lookups of one event-loop turn share a query; each answer must still be its own session.
    const seed = Array.from({ length: 150 }, (_, i) => ({ ...golden, id: `s${i.toString().padStart(4, '0')}`, fromAddress: `+1503555${i}` }));
    const { url, fetch } = await signedIn(seed);
    const ids = [...seed.map((s) => s.id!), 'missing-1', seed[7]!.id!, 'missing-2', seed[7]!.id!];
    const answers = await Promise.all(ids.map(async (sid) => {
      const res = await fetch(`${url}/sessions/${sid}`);
      return { status: res.status, body: (await res.json()) as { id?: string; fromAddress?: string } };
    }));
    answers.forEach((answer, i) => {
      const sid = ids[i]!;
      if (sid.startsWith('missing')) return expect(answer.status).toBe(404);
      expect(answer.status).toBe(200);
      expect(answer.body.id).toBe(sid);
      expect(answer.body.fromAddress).toBe(seed.find((s) => s.id === sid)!.fromAddress);
    });
  });
});

describe('predefined routes', () => {
  it.each([
    ['/api/GetSession?sessionId={id}', 'application/json; charset=utf-8'],
    ['/api/getsession?SESSIONID={id}', 'application/json; charset=utf-8'],
    ['/json/reply/GetSession?sessionId={id}', 'application/json; charset=utf-8'],
    ['/xml/reply/GetSession?sessionId={id}', 'application/xml'],
    ['/csv/reply/GetSession?sessionId={id}', 'text/csv'],
    ['/api/GetSession.xml?sessionId={id}', 'application/xml'],
    ['/json/reply/GetSession?sessionId={id}&format=xml', 'application/xml'],
  ])('%s answers %s, whatever Accept says', async (path, type) => {
    const { url, fetch } = await signedIn();
    const res = await fetch(url + path.replace('{id}', id), { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    const body = await res.text();
    if (type.startsWith('application/json')) expect(body).toBe(goldenJson);
    if (type === 'application/xml') expect(body).toBe(goldenXml);
  });

  it('binds a POSTed JSON body on /api whatever its Content-Type (PascalCase too)', async () => {
    const { url, fetch } = await signedIn();
    const res = await fetch(`${url}/api/GetSession`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ SessionId: id }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(goldenJson);
  });

  it('answers an unknown operation with 405 NotImplementedException', async () => {
    const { url, fetch } = await signedIn([]);
    const res = await fetch(`${url}/api/NoSuchThing`);
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({
      responseStatus: {
        errorCode: 'NotImplementedException',
        message: 'The operation does not exist for this service',
        errors: [],
      },
    });
  });
});
