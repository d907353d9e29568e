import { xmlNamespaceOf, type Dto } from '../model/dto.js';
import { contractMembersOf, type MemberType } from '../model/members.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

export interface XmlOptions {
  /** Indent with two spaces a level, as the metadata pages do; responses are one line. */
  readonly indent?: boolean;
  readonly declaration?: boolean;
}

/** Namespaces in scope: the default one and the `dNpM` prefixes declared by ancestors. */
interface Scope {
  readonly defaultNs: string;
  readonly prefixes: ReadonlyMap<string, string>;
}

/**
 * Writes a DTO the way .NET's DataContractSerializer does under ServiceStack's XmlWriter settings
 * (servicestack-wire.md §5): one line, declaration first, `xmlns:i` before `xmlns`, base members
 * first, nulls as `i:nil`, `dNpM` prefixes for members whose contract namespace differs.
 *
 * @example
 * writeXml(SessionInfo, session) // '<?xml version="1.0" encoding="utf-8"?><SessionInfo xmlns:i=…'
 */
export function writeXml(dto: Dto, value: object, options: XmlOptions = {}): string {
  const ns = xmlNamespaceOf(dto.meta);
  const root = dto.meta.xmlRootName ?? dto.meta.name;
  const writer = new Writer(options.indent === true);
  writer.open(root, '', ` xmlns:i="${XSI}" xmlns="${ns}"`, 1);
  const scope: Scope = { defaultNs: ns, prefixes: new Map() };
  const body = writer.mark();
  writeMembers(writer, dto, value as Record<string, unknown>, scope, 2);
  writer.close(root, '', body, 1, false);
  return (options.declaration === false ? '' : DECLARATION) + writer.text();
}

/**
 * A list of DTOs as .NET writes a top-level `List<T>`: `<ArrayOfT>` in T's namespace, one `<T>`
 * per item (servicestack-wire.md §5); an auto-batched request's answer in XML.
 *
 * @example
 * writeXmlList(SessionInfo, [a, b]) // '<?xml …?><ArrayOfSessionInfo xmlns:i=… xmlns=…><SessionInfo>…'
 */
export function writeXmlList(dto: Dto, values: readonly object[]): string {
  const ns = xmlNamespaceOf(dto.meta);
  const item = dto.meta.xmlRootName ?? dto.meta.name;
  const writer = new Writer(false);
  const rootAttrs = ` xmlns:i="${XSI}" xmlns="${ns}"`;
  writer.open('ArrayOf' + item, '', rootAttrs, 1);
  const scope: Scope = { defaultNs: ns, prefixes: new Map() };
  const body = writer.mark();
  for (const value of values) writeValue(writer, item, ns, { kind: 'dto', dto }, value, scope, 2);
  writer.close('ArrayOf' + item, rootAttrs, body, 1, true);
  return DECLARATION + writer.text();
}

function writeMembers(w: Writer, dto: Dto, value: Record<string, unknown>, scope: Scope, depth: number) {
  for (const member of contractMembersOf(dto)) {
    writeValue(w, member.name, xmlNamespaceOf(member.declaredBy.meta), member.type, value[member.key] ?? member.defaultValue, scope, depth);
  }
}

/** The namespace a value's children live in, when it differs from the element's (collections, DTOs). */
function childNamespace(type: MemberType): string | undefined {
  switch (type.kind) {
    case 'list':
      return type.item.kind === 'dto' ? xmlNamespaceOf(type.item.dto.meta) : ARRAYS_NS;
    case 'dictionary':
      return ARRAYS_NS;
    case 'dto':
      return xmlNamespaceOf(type.dto.meta);
    default:
      return undefined;
  }
}

function writeValue(
  w: Writer,
  name: string,
  ns: string,
  type: MemberType,
  value: unknown,
  outer: Scope,
  depth: number,
): void {
  // An element in a namespace that is neither the default nor prefixed redeclares the default,
  // and XmlWriter puts that declaration after the element's own attributes.
  let prefix = '';
  let defaultDecl = '';
  let scope = outer;
  if (ns !== outer.defaultNs) {
    const bound = outer.prefixes.get(ns);
    if (bound) prefix = bound + ':';
    else {
      defaultDecl = ` xmlns="${ns}"`;
      scope = { defaultNs: ns, prefixes: outer.prefixes };
    }
  }
  let attrs = '';
  const childNs = childNamespace(type);
  if (childNs !== undefined && childNs !== scope.defaultNs && !scope.prefixes.has(childNs)) {
    const declared = `d${depth}p1`;
    attrs = ` xmlns:${declared}="${childNs}"`;
    scope = { defaultNs: scope.defaultNs, prefixes: new Map(scope.prefixes).set(childNs, declared) };
  }
  const tag = prefix + name;
  if (value === undefined || value === null) {
    w.selfClose(tag, `${attrs} i:nil="true"${defaultDecl}`, depth);
    return;
  }
  attrs += defaultDecl;
  switch (type.kind) {
    case 'string':
      w.leaf(tag, attrs, escapeText(String(value)), depth);
      return;
    case 'bool':
      w.leaf(tag, attrs, value ? 'true' : 'false', depth);
      return;
    case 'int':
    case 'enum':
      w.leaf(tag, attrs, escapeText(String(value)), depth);
      return;
  }
  w.open(tag, '', attrs, depth);
  const body = w.mark();
  if (type.kind === 'dto') {
    writeMembers(w, type.dto, value as Record<string, unknown>, scope, depth + 1);
  } else if (type.kind === 'list') {
    const itemNs = childNs as string;
    const itemName = type.item.kind === 'dto' ? type.item.dto.meta.name : listItemName(type.item);
    for (const item of value as unknown[]) writeValue(w, itemName, itemNs, type.item, item, scope, depth + 1);
  } else {
    const p = scope.prefixes.get(ARRAYS_NS);
    const pair = (p ? p + ':' : '') + 'KeyValueOfstringstring';
    const stringType: MemberType = { kind: 'string' };
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      w.open(pair, '', '', depth + 1);
      const pairBody = w.mark();
      writeValue(w, 'Key', ARRAYS_NS, stringType, k, scope, depth + 2);
      writeValue(w, 'Value', ARRAYS_NS, stringType, v, scope, depth + 2);
      w.close(pair, '', pairBody, depth + 1, false);
    }
  }
  w.close(tag, attrs, body, depth, true);
}

function listItemName(item: MemberType): string {
  switch (item.kind) {
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'bool':
      return 'boolean';
    default:
      throw new Error(`No XML item name for ${item.kind}`);
  }
}

/**
 * Text escaping as XmlWriter does it: `&`, `<`, `>` as entities, quotes as they are, line breaks
 * normalised to `\n` (NewLineHandling.Replace on a Linux host). Characters XML 1.0 cannot carry
 * (control characters, lone surrogates) become U+FFFD where .NET would throw and answer 500.
 */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/\r\n?/g, '\n')
    .replace(INVALID_XML, '\uFFFD')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Collects output; knows whether an element got content, so empty ones self-close as .NET does. */
class Writer {
  private readonly parts: string[] = [];
  constructor(private readonly indent: boolean) {}

  mark(): number {
    return this.parts.length;
  }
  text(): string {
    return this.parts.join('');
  }
  private pad(depth: number): string {
    return this.indent && depth > 1 ? '\n' + '  '.repeat(depth - 1) : '';
  }
  open(tag: string, _prefix: string, attrs: string, depth: number) {
    this.parts.push(`${this.pad(depth)}<${tag}${attrs}>`);
  }
  /** Closes an element; one that got nothing is rewritten as `<X … />`. */
  close(tag: string, attrs: string, bodyMark: number, depth: number, collapse: boolean) {
    if (collapse && this.parts.length === bodyMark) {
      this.parts[bodyMark - 1] = `${this.pad(depth)}<${tag}${attrs} />`;
      return;
    }
    this.parts.push(`${this.indent ? '\n' + '  '.repeat(depth - 1) : ''}</${tag}>`);
  }
  selfClose(tag: string, attrs: string, depth: number) {
    this.parts.push(`${this.pad(depth)}<${tag}${attrs} />`);
  }
  leaf(tag: string, attrs: string, text: string, depth: number) {
    this.parts.push(`${this.pad(depth)}<${tag}${attrs}>${text}</${tag}>`);
  }
}
