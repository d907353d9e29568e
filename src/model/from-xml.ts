import { isNil, type XmlElement } from '../wire/xml-reader.js';
import { xmlNamespaceOf, type Dto } from './dto.js';
import { fromWire, type WireResult } from './from-wire.js';
import { memberLookupOf, type MemberType } from './members.js';

/**
 * Reads a DTO from a parsed DataContractSerializer document: the root must be the DTO (by name, in
 * its contract namespace or in none), members are its child elements by .NET name, `i:nil` is
 * null, lists are their child elements (`<d2p1:string>`, `<SessionLogInfo>`), dictionaries their
 * `KeyValueOfstringstring` pairs. The result then goes through `fromWire`, so an XML body is
 * validated, and refused, exactly as the same body in JSON.
 *
 * Deliberately more lenient than DataContractSerializer on two points that would otherwise lose
 * data without a word: members are found in any order (DCS skips an element that arrives after its
 * place) and in any namespace (DCS skips one outside its declaring type's).
 *
 * @example
 * fromXml(GetSession, parseXml('<GetSession><SessionId>a</SessionId></GetSession>')) // { ok: true, value: { sessionId: 'a' } }
 */
export function fromXml<T = Record<string, unknown>>(dto: Dto, root: XmlElement): WireResult<T> {
  const expectedNs = xmlNamespaceOf(dto.meta);
  const names = [dto.meta.name.toLowerCase(), (dto.meta.xmlRootName ?? dto.meta.name).toLowerCase()];
  if (!names.includes(root.name.toLowerCase()) || (root.ns !== '' && root.ns !== expectedNs)) {
    const got = root.ns ? `'${root.name}' in namespace '${root.ns}'` : `'${root.name}'`;
    return {
      ok: false,
      problems: [{ field: dto.meta.name, message: `expected element '${dto.meta.name}' in namespace '${expectedNs}', got ${got}` }],
    };
  }
  return fromWire<T>(dto, readDto(dto, root));
}

function readDto(dto: Dto, element: XmlElement): Record<string, unknown> {
  const lookup = memberLookupOf(dto);
  const raw: Record<string, unknown> = {};
  for (const child of element.children) {
    const member = lookup.get(child.name.toLowerCase());
    if (member && !isNil(child)) raw[member.key] = readValue(member.type, child);
  }
  return raw;
}

function readValue(type: MemberType, element: XmlElement): unknown {
  switch (type.kind) {
    case 'string':
      return element.text;
    case 'bool': {
      // xsd:boolean also spells its values 1 and 0.
      const text = element.text.trim();
      return text === '1' ? true : text === '0' ? false : text;
    }
    case 'int':
    case 'enum':
      return element.text.trim();
    case 'dto':
      return readDto(type.dto, element);
    case 'list':
      return element.children.map((item) => (isNil(item) ? null : readValue(type.item, item)));
    case 'dictionary': {
      const map: Record<string, unknown> = {};
      for (const pair of element.children) {
        const key = pair.children.find((c) => c.name === 'Key');
        const value = pair.children.find((c) => c.name === 'Value');
        if (key) map[key.text] = value === undefined || isNil(value) ? null : value.text;
      }
      return map;
    }
  }
}
