import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The writer's own files: the only ones that append to the ledger or write a folded row. */
const WRITER = ['src/events/cached-writer.ts', 'src/events/ingest-statements.ts', 'src/events/reference-writer.ts', 'src/events/snapshot-writes.ts'];

/** Statements that change a session otherwise than as the fold of its ledger. */
const WRITES = /insertInto\(\s*'session_events'|insertInto\(\s*'sessions'|updateTable\(\s*'sessions'/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

// Issue 14.5: the write path spread over eight files, and import, generate and the demo each wrote
// rows their own way. Every session change goes through the session writer (session-writer.ts).
describe('one session writer', () => {
  it('is the only code that appends ledger events or writes session rows', () => {
    const writers = sources(join(root, 'src')).flatMap((file) => {
      const code = readFileSync(file, 'utf8');
      return [...code.matchAll(WRITES)].map((m) => `${relative(root, file)}: ${m[0]}`);
    });
    const outside = writers.filter((w) => !WRITER.some((file) => w.startsWith(`${file}:`)));
    // The archive job sets `archived`, a row fact no event carries, and touches nothing the fold writes.
    expect(outside).toEqual(["src/lifecycle/archive-job.ts: updateTable('sessions'"]);
    expect(readFileSync(join(root, 'src/lifecycle/archive-job.ts'), 'utf8')).toMatch(/updateTable\('sessions'\)\.set\(\{ archived: 1 \}\)/);
    expect(writers.length).toBeGreaterThan(outside.length);
  });

  it('keeps its caches and its ways of writing to itself: callers import session-writer.ts alone', () => {
    const internal = ['cached-writer', 'reference-writer', 'fold-cache', 'ingest-statements', 'session-refold', 'snapshot-writes'];
    const insiders = [...WRITER, 'src/events/session-writer.ts', 'src/events/session-refold.ts'];
    const imports = sources(join(root, 'src')).flatMap((file) => {
      const code = readFileSync(file, 'utf8');
      return internal.filter((name) => code.includes(`/${name}.js'`)).map((name) => `${relative(root, file)} → ${name}`);
    });
    expect(imports.filter((i) => !insiders.some((file) => i.startsWith(`${file} →`)))).toEqual([]);
    expect(imports).toContain('src/events/session-writer.ts → cached-writer');
  });
});
