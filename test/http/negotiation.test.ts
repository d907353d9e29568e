import { describe, expect, it } from 'vitest';
import { goldenSession } from '../support/fixtures.js';
import { startSignedInServer } from '../support/server.js';
import { storeWhole } from '../support/sessions.js';

const golden = goldenSession();
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml';

// servicestack-wire.md §1.1 worked examples, on the custom route /sessions/{sessionId}.
const MATRIX: ReadonlyArray<{ name: string; path?: string; init?: RequestInit; type: string }> = [
  { name: 'Accept */* (the JS client default)', init: { headers: { accept: '*/*' } }, type: JSON_TYPE },
  { name: 'no Accept at all', init: { headers: {} }, type: JSON_TYPE },
  { name: 'Accept application/xml', init: { headers: { accept: 'application/xml' } }, type: XML_TYPE },
  {
    name: 'Accept application/xml, application/json (server order, q ignored)',
    init: { headers: { accept: 'application/xml;q=1.0, application/json;q=0.1' } },
    type: JSON_TYPE,
  },
  {
    name: 'Accept */* with an XML request Content-Type',
    init: { method: 'GET', headers: { accept: '*/*', 'content-type': 'application/xml' } },
    type: XML_TYPE,
  },
  {
    name: 'a browser',
    init: { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } },
    type: 'text/html; charset=utf-8',
  },
  { name: 'Accept text/csv', init: { headers: { accept: 'text/csv' } }, type: 'text/csv' },
  { name: '?format=xml beats Accept json', path: '?format=xml', init: { headers: { accept: 'application/json' } }, type: XML_TYPE },
  { name: '?format=json.pretty reads as json', path: '?format=json.pretty', init: { headers: { accept: 'application/xml' } }, type: JSON_TYPE },
  { name: '?FORMAT=XML is case-insensitive', path: '?FORMAT=XML', type: XML_TYPE },
  { name: '.json suffix beats ?format=xml', path: '.json?format=xml', type: JSON_TYPE },
  { name: '.xml suffix beats Accept json', path: '.xml', init: { headers: { accept: 'application/json' } }, type: XML_TYPE },
  { name: '.csv suffix', path: '.csv', type: 'text/csv' },
  { name: '?format=yaml is ignored, then Accept', path: '?format=yaml', init: { headers: { accept: 'application/xml' } }, type: XML_TYPE },
  { name: 'Accept application/yaml falls back to JSON, never 406', init: { headers: { accept: 'application/yaml' } }, type: JSON_TYPE },
  { name: 'an empty Accept', init: { headers: { accept: '' } }, type: JSON_TYPE },
  { name: 'a nonsense Accept', init: { headers: { accept: ';;;,,,q=;' } }, type: JSON_TYPE },
];

describe('content negotiation on a custom route', () => {
  it.each(MATRIX)('$name → $type', async ({ path = '', init, type }) => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/sessions/${golden.id}${path}`, init);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('vary')).toBe('Accept');
  });

  it('matches route paths case-insensitively and ignores a trailing slash', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    expect((await fetch(`${url}/SESSIONS/${golden.id}`)).status).toBe(200);
    expect((await fetch(`${url}/sessions/${golden.id}/`)).status).toBe(200);
  });

  it('does not strip a suffix that is not a format', async () => {
    const { url, store, fetch } = await startSignedInServer();
    await storeWhole(store, { ...golden, id: 'john.smith' });
    const res = await fetch(`${url}/sessions/john.smith`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe('john.smith');
  });

  it('writes errors in the negotiated format too', async () => {
    const { url, fetch } = await startSignedInServer();
    const res = await fetch(`${url}/sessions/nope?format=xml`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(XML_TYPE);
    expect(await res.text()).toContain('<ErrorCode>NotFound</ErrorCode>');
  });
});
