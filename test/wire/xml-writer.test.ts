import { describe, expect, it } from 'vitest';
import { SessionInfo } from '../../src/model/session-info.js';
import { escapeText, writeXml } from '../../src/wire/xml-writer.js';
import { goldenSession, readFixture } from '../support/fixtures.js';
import { sampleOf } from '../../src/model/sample.js';

describe('XML as DataContractSerializer writes it', () => {
  it('writes the golden session byte for byte', () => {
    expect(writeXml(SessionInfo, goldenSession())).toBe(readFixture('session-golden.xml'));
  });

  it("writes the seed page's sample response byte for byte", () => {
    expect(writeXml(SessionInfo, sampleOf(SessionInfo))).toBe(readFixture('session-seed-sample.xml'));
  });

  it('writes an empty session with every member nil', () => {
    const xml = writeXml(SessionInfo, {});
    expect(xml).toContain('<CustomerBreadcrumb xmlns:d2p1="http://schemas.datacontract.org/2004/07/Voice.Api.Customers" i:nil="true" />');
    expect(xml).toContain('<Id i:nil="true" xmlns="http://schemas.datacontract.org/2004/07/Voice.Api" />');
    expect(xml).toContain('<Log i:nil="true" />');
  });

  it('escapes markup but not quotes, and replaces what XML cannot carry', () => {
    expect(escapeText(`a<b&c>"'`)).toBe(`a&lt;b&amp;c&gt;"'`);
    expect(escapeText('x\u0000y\uD800')).toBe('x\uFFFDy\uFFFD');
    expect(escapeText('l1\r\nl2\rl3')).toBe('l1\nl2\nl3');
  });
});

describe('XML of lists and errors', () => {
  it('writes the golden ListResponse byte for byte', async () => {
    const { listResponseOf } = await import('../../src/model/list-response.js');
    const page = JSON.parse(readFixture('list-golden.json'));
    expect(writeXml(listResponseOf(SessionInfo), page)).toBe(readFixture('list-golden.xml'));
  });

  it('writes an ErrorResponse as ServiceStack does', async () => {
    const { ErrorResponse } = await import('../../src/model/response-status.js');
    const xml = writeXml(ErrorResponse, {
      responseStatus: {
        errorCode: 'NotEmpty',
        message: "'Name' must not be empty.",
        errors: [{ errorCode: 'NotEmpty', fieldName: 'Name', message: "'Name' must not be empty.", meta: { PropertyName: 'Name' } }],
      },
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.servicestack.net/types"><ResponseStatus><ErrorCode>NotEmpty</ErrorCode>' +
        "<Message>'Name' must not be empty.</Message><StackTrace i:nil=\"true\" /><Errors><ResponseError>" +
        "<ErrorCode>NotEmpty</ErrorCode><FieldName>Name</FieldName><Message>'Name' must not be empty.</Message>" +
        '<Meta xmlns:d5p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><d5p1:KeyValueOfstringstring>' +
        '<d5p1:Key>PropertyName</d5p1:Key><d5p1:Value>Name</d5p1:Value></d5p1:KeyValueOfstringstring></Meta>' +
        '</ResponseError></Errors><Meta xmlns:d3p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays"' +
        ' i:nil="true" /></ResponseStatus></ErrorResponse>',
    );
  });
});

describe('JSON of lists', () => {
  it('writes the golden ListResponse in .NET member order', async () => {
    const { listResponseOf } = await import('../../src/model/list-response.js');
    const { writeJson } = await import('../../src/wire/json-writer.js');
    const page = JSON.parse(readFixture('list-golden.json'));
    expect(writeJson(listResponseOf(SessionInfo), page)).toBe(JSON.stringify(page));
  });
});
