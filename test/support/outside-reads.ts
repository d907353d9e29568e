import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, posix } from 'node:path';
import ts from 'typescript';

/** A place in a file that names a path outside the repository. */
export interface OutsideRead {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** The folders whose files must not read outside the repository (issue 14.1), and the root files beside them. */
export const SCANNED_DIRS = ['src', 'test', 'bench', 'bin'];
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const SKIPPED = new Set(['node_modules', 'dist', 'data', 'coverage', 'fixtures']);

/** Every code file the suite, the product and the benchmarks are made of, relative to `root`. */
export function codeFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : walk(path);
      return CODE.has(extname(entry.name)) ? [path] : [];
    });
  const rootFiles = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isFile() && CODE.has(extname(entry.name)))
    .map((entry) => entry.name);
  return [...rootFiles, ...SCANNED_DIRS.flatMap(walk)];
}

// The engineering share that used to sit beside the clone, under any spelling of its parent.
const SHARE = /(^|[^\w-])shared[/\\](fixtures|seeds|reference|hooks)\b/;
// Home and work folders: a path into one of them is a path into some machine, not into the repository.
const MACHINE_PATH = /(^|[\s'"`=(:])(\/(work|home|Users|root|mnt|srv|opt)\/|[A-Za-z]:\\)/;
const CLIMB = /(^|[/\\])\.\.([/\\]|$)/;
const PATH_CALLS = new Set(['join', 'resolve']);
// Where `escapes` puts the repository to resolve a path inside it.
const ROOT = '/repository';

/**
 * Whether the path text, taken from `base` (a folder relative to the repository root), lands above the
 * root. A template piece after a `${…}` (`/../data`) is taken as relative to `base`: the worst case.
 */
function escapes(base: string, text: string): boolean {
  const path = text.replace(/\\/g, '/').replace(/^\/+/, '');
  const landed = posix.resolve(ROOT, base, path);
  return landed !== ROOT && !landed.startsWith(ROOT + '/');
}

function calleeName(call: ts.CallExpression): string {
  const callee = call.expression;
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
}

/** A string argument of `join`/`resolve`: judged with the call's other pieces, not on its own. */
const isPathCallArgument = (node: ts.Node) =>
  ts.isStringLiteralLike(node) && ts.isCallExpression(node.parent) && PATH_CALLS.has(calleeName(node.parent)) && node.parent.arguments.includes(node as ts.Expression);

const lineOf = (source: ts.SourceFile, node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

function isStringLike(node: ts.Node): node is ts.StringLiteralLike | ts.TemplateLiteralLikeNode {
  return ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node);
}

/** A module specifier, or the first argument of `new URL(x, import.meta.url)`: resolved against the file itself. */
function resolvedFromFile(literal: ts.Node): boolean {
  const node = ts.isTemplateSpan(literal.parent) ? literal.parent.parent : ts.isTemplateExpression(literal.parent) ? literal.parent : literal;
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return true;
  if (ts.isLiteralTypeNode(parent) && ts.isImportTypeNode(parent.parent)) return true;
  if (ts.isCallExpression(parent) && parent.arguments[0] === node) {
    const callee = parent.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isPropertyAccessExpression(callee) && ['mock', 'doMock', 'importActual', 'importMock'].includes(callee.name.text)) return true;
    if (ts.isIdentifier(callee) && callee.text === 'require') return true;
  }
  if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'URL' && parent.arguments?.[0] === node) {
    const second = parent.arguments[1];
    return !!second && /import\.meta\.url|__filename/.test(second.getText());
  }
  return false;
}

/**
 * The places in one file's text that read outside the repository: a relative path that climbs above the
 * root (from the file's folder for module specifiers and `new URL(…, import.meta.url)`; from both the
 * file's folder and the root, the working directory of `npm test`, for anything else), `join`/`resolve`
 * calls whose `'..'` arguments climb out together, and any absolute path into a machine's folders or the
 * old share. Checks the syntax tree, so comments do not count and every string and template piece does.
 */
export function outsideReadsIn(file: string, text: string): OutsideRead[] {
  const found: OutsideRead[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const fileDir = posix.dirname(file);
  const report = (node: ts.Node, why: string) => found.push({ file, line: lineOf(source, node), text: node.getText(source).slice(0, 120), why });

  const visit = (node: ts.Node) => {
    if (isStringLike(node)) {
      const value = node.text;
      // A string that starts with `/` is absolute (a route, /tmp); a template piece after a `${…}` is not.
      const absolute = value.startsWith('/') && (ts.isStringLiteralLike(node) || ts.isTemplateHead(node));
      if (SHARE.test(value)) report(node, 'names the share that sits beside the clone');
      else if (MACHINE_PATH.test(value)) report(node, 'an absolute path into a machine folder');
      else if (CLIMB.test(value) && !absolute && !value.includes('://') && !isPathCallArgument(node)) {
        const bases = resolvedFromFile(node) ? [fileDir] : [fileDir, '.'];
        const base = bases.find((b) => escapes(b, value));
        if (base !== undefined) report(node, `climbs above the repository root from ${base === '.' ? 'the root (the working directory)' : base}/`);
      }
    }
    if (ts.isCallExpression(node) && PATH_CALLS.has(calleeName(node))) {
      // join(import.meta.dirname, '..', '..'): the pieces climb together, from the file's folder, or from
      // the root (the working directory) when the call starts anywhere else.
      const [first] = node.arguments;
      const fromFile = !!first && /import\.meta\.(dirname|url)|__dirname/.test(first.getText(source));
      const joined = node.arguments.filter(ts.isStringLiteralLike).map((a) => a.text).join('/');
      if (CLIMB.test(joined) && (fromFile ? [fileDir] : [fileDir, '.']).some((base) => escapes(base, joined))) {
        report(node, `${calleeName(node)}(…) climbs above the repository root`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every outside read in the repository at `root`. */
export function outsideReads(root: string): OutsideRead[] {
  return codeFiles(root).flatMap((file) => outsideReadsIn(file, readFileSync(join(root, file), 'utf8')));
}
