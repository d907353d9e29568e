import { describe, expect, it } from 'vitest';
import { fromXml } from '../../src/model/from-xml.js';
import { ListSessions } from '../../src/sessions/list-sessions.js';
import { isNil, parseXml, XmlSyntaxError } from '../../src/wire/xml-reader.js';

const SESSIONS_NS = 'http://schemas.datacontract.org/2004/07/Voice.Api.Sessions';

describe('the XML reader', () => {
  it('resolves namespaces and prefixes, decodes entities and CDATA, skips comments, a BOM and the declaration', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0" encoding="utf-8"?><!-- first --><a:Root xmlns:a="urn:a" xmlns="urn:d" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
        `<Text>x &lt;&amp;&gt; &quot;&apos; &#233;&#x1F600;<![CDATA[<raw & kept>]]></Text><Nil i:nil="true" /><a:Inner><Deep xmlns="urn:e"/></a:Inner></a:Root>`,
    );
    expect([root.name, root.ns]).toEqual(['Root', 'urn:a']);
    const [text, nil, inner] = root.children;
    expect(text).toMatchObject({ name: 'Text', ns: 'urn:d', text: `x <&> "' é😀<raw & kept>` });
    expect(isNil(nil!)).toBe(true);
    expect(inner!.children[0]).toMatchObject({ name: 'Deep', ns: 'urn:e' });
  });

  it.each([
    ['<a>', /Unclosed element <a>/],
    ['<a></b>', /Unexpected end tag <\/b>/],
    ['<a/><b/>', /A second root element/],
    ['text<a/>', /Text outside the root element/],
    ['<p:a/>', /Undeclared namespace prefix 'p'/],
    ['<a x="1" x="2"/>', /Attribute 'x' given twice/],
    ['<a>&bogus;</a>', /Unknown entity '&bogus;'/],
    ['<a>AT&T</a>', /Malformed entity/],
    ['<!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>', /A DTD is not accepted/],
    ['', /No root element/],
    ['<a>'.repeat(65) + '</a>'.repeat(65), /nest deeper than 64/],
  ])('refuses %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    expect(() => parseXml(xml)).toThrow(message);
  });

  it('binds members in any order, lists of strings, and nil; a root of another DTO is named', () => {
    const xml = `<ListSessions xmlns="${SESSIONS_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">` +
      `<Log>timeout</Log><AccountIds><d2p1:string>a</d2p1:string><d2p1:string>b</d2p1:string></AccountIds><From i:nil="true" />` +
      `<Page xmlns="http://schemas.datacontract.org/2004/07/Voice.Api">2</Page><SimplifiedPaging>1</SimplifiedPaging></ListSessions>`;
    expect(fromXml(ListSessions, parseXml(xml))).toEqual({ ok: true, value: { log: 'timeout', accountIds: ['a', 'b'], page: 2, simplifiedPaging: true } });
    // No namespace at all is read too (a hand-written body); another DTO's element is not.
    expect(fromXml(ListSessions, parseXml('<ListSessions><Log>x</Log></ListSessions>'))).toEqual({ ok: true, value: { log: 'x' } });
    expect(fromXml(ListSessions, parseXml(`<GetSession xmlns="${SESSIONS_NS}"/>`))).toMatchObject({ ok: false, problems: [{ field: 'ListSessions' }] });
  });
});
