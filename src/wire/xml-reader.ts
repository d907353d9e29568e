/** One element of a parsed document: its namespace-qualified name, attributes, children and text. */
export interface XmlElement {
  /** Local name, without its prefix. */
  readonly name: string;
  /** The namespace URI the element is in ('' when none is in scope). */
  readonly ns: string;
  /** Attributes by `{namespace}local` (`local` alone when unqualified); `xmlns` declarations excluded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA), entities decoded. */
  readonly text: string;
}

export class XmlSyntaxError extends Error {}

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** `i:nil="true"`: DataContractSerializer's null. */
export const isNil = (element: XmlElement) => element.attributes.get(`{${XSI_NS}}nil`)?.trim() === 'true';

// Requests are at most 1 MiB; no DTO nests deeper than a handful of levels.
const MAX_DEPTH = 64;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

interface Open {
  readonly qname: string;
  readonly name: string;
  readonly ns: string;
  readonly attributes: Map<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly scope: ReadonlyMap<string, string>;
}

const NAME = /[A-Za-z_\u00C0-\uFFEF][\w.\-\u00B7\u00C0-\uFFEF]*(?::[A-Za-z_\u00C0-\uFFEF][\w.\-\u00B7\u00C0-\uFFEF]*)?/y;
const ATTRIBUTE = /\s+([^\s=/>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const CLOSE = /<\/([^\s>]+)\s*>/y;
const TEXT = /[^<]+/y;

/**
 * A strict, namespace-aware reader for the XML that .NET's DataContractSerializer and its peers
 * write: elements, attributes, text, CDATA, comments and processing instructions. A DTD is refused,
 * as ServiceStack's reader refuses one (`DtdProcessing.Prohibit`), so no entity can expand. Any
 * malformation throws XmlSyntaxError with where it was found.
 *
 * @example
 * parseXml('<GetSession xmlns="http://schemas.datacontract.org/2004/07/Voice.Api.Sessions"><SessionId>a</SessionId></GetSession>')
 */
export function parseXml(xml: string): XmlElement {
  let at = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  const fail = (what: string): never => {
    throw new XmlSyntaxError(`${what} at character ${at}`);
  };
  const match = (re: RegExp) => {
    re.lastIndex = at;
    const m = re.exec(xml);
    if (m) at = re.lastIndex;
    return m;
  };

  while (at < xml.length) {
    const top = stack[stack.length - 1];
    if (xml[at] !== '<') {
      const text = match(TEXT)![0];
      if (top) top.text += decodeEntities(text, fail);
      else if (text.trim() !== '') fail('Text outside the root element');
      continue;
    }
    if (xml.startsWith('<?', at)) {
      const end = xml.indexOf('?>', at + 2);
      if (end < 0) fail('Unterminated processing instruction');
      at = end + 2;
    } else if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at + 4);
      if (end < 0) fail('Unterminated comment');
      at = end + 3;
    } else if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end < 0 || !top) fail('Misplaced or unterminated CDATA section');
      top!.text += xml.slice(at + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<!', at)) {
      fail('A DTD is not accepted');
    } else if (xml.startsWith('</', at)) {
      const m = match(CLOSE);
      if (!m || !top || m[1] !== top.qname) fail(`Unexpected end tag${m ? ` </${m[1]}>` : ''}`);
      stack.pop();
      const element = freeze(top!);
      if (stack.length) stack[stack.length - 1]!.children.push(element);
      else root = element;
    } else {
      if (root) fail('A second root element');
      at++;
      const name = match(NAME);
      if (!name) fail('An element name was expected');
      const raw: [string, string][] = [];
      for (let m = match(ATTRIBUTE); m; m = match(ATTRIBUTE)) raw.push([m[1]!, decodeEntities(m[2] ?? m[3] ?? '', fail)]);
      const end = match(TAG_END);
      if (!end) fail(`Malformed start tag <${name![0]}`);
      if (stack.length >= MAX_DEPTH) fail(`Elements nest deeper than ${MAX_DEPTH}`);
      const open = openElement(name![0], raw, top?.scope ?? new Map([['xml', XML_NS]]), fail);
      if (end![1] === '/') {
        const element = freeze(open);
        if (top) top.children.push(element);
        else root = element;
      } else stack.push(open);
    }
  }
  if (stack.length) fail(`Unclosed element <${stack[stack.length - 1]!.qname}>`);
  if (!root) fail('No root element');
  return root!;
}

function openElement(qname: string, raw: [string, string][], outer: ReadonlyMap<string, string>, fail: (what: string) => never): Open {
  let scope = outer;
  for (const [name, value] of raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const resolve = (prefix: string) => {
    const ns = scope.get(prefix);
    if (ns === undefined && prefix !== '') fail(`Undeclared namespace prefix '${prefix}'`);
    return ns ?? '';
  };
  const attributes = new Map<string, string>();
  for (const [name, value] of raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const colon = name.indexOf(':');
    const key = colon < 0 ? name : `{${resolve(name.slice(0, colon))}}${name.slice(colon + 1)}`;
    if (attributes.has(key)) fail(`Attribute '${name}' given twice`);
    attributes.set(key, value);
  }
  const colon = qname.indexOf(':');
  return {
    qname,
    name: colon < 0 ? qname : qname.slice(colon + 1),
    ns: resolve(colon < 0 ? '' : qname.slice(0, colon)),
    attributes,
    children: [],
    text: '',
    scope,
  };
}

const freeze = (open: Open): XmlElement => ({
  name: open.name,
  ns: open.ns,
  attributes: open.attributes,
  children: open.children,
  text: open.text,
});

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, fail: (what: string) => never): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]{0,10});?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) fail(`Malformed entity '${whole}'`);
    if (name in NAMED) return NAMED[name]!;
    const code = /^#x[0-9a-f]{1,6}$/i.test(name) ? parseInt(name.slice(2), 16) : /^#\d{1,7}$/.test(name) ? Number(name.slice(1)) : NaN;
    if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) fail(`Unknown entity '${whole}'`);
    return String.fromCodePoint(code);
  });
}
