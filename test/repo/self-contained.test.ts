import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeFiles, outsideReads, outsideReadsIn } from '../support/outside-reads.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Issue 14.1: cloned on its own, the repository failed 237 of its 487 tests because they read a share
// beside the clone. Every file the suite, the product and the benchmarks are made of stays inside.
describe('the repository is self-contained', () => {
  it('no source, test or bench file reads outside the repository', () => {
    const files = codeFiles(root);
    expect(files).toEqual(expect.arrayContaining(['src/app.ts', 'test/support/fixtures.ts', 'bench/lib/sessions.ts', 'bin/switchboard.js', 'vitest.config.ts']));
    expect(outsideReads(root)).toEqual([]);
  });

  // The bad lines spell `..`, the share and machine folders with placeholders, so that this file does
  // not trip its own check.
  const bad = (code: string) =>
    code.replaceAll('UP', '.'.repeat(2)).replaceAll('SHARE', 'sha' + 'red').replaceAll('/WORK', '/wo' + 'rk').replaceAll('/HOME', '/ho' + 'me');
  const reasons = (file: string, code: string) => outsideReadsIn(file, bad(code)).map((r) => `${r.line}: ${r.why}`);

  it.each([
    ['the old fixtures loader', 'test/support/fixtures.ts', "const d = fileURLToPath(new URL('UP/UP/UP/SHARE/', import.meta.url));"],
    ['a URL climbing out without naming the share', 'bench/lib/sessions.ts', "new URL('UP/UP/UP/elsewhere/x.json', import.meta.url);"],
    ['a read relative to the working directory', 'src/import/import-sessions.ts', "readFileSync('UP/shared-data/x.json', 'utf8');"],
    ['a lone parent folder', 'test/cli/import.test.ts', "spawn('ls', ['UP']);"],
    ['join with parent arguments', 'test/support/x.ts', "join(import.meta.dirname, 'UP', 'UP', 'UP', 'data');"],
    ['path.resolve with parent arguments', 'test/support/x.ts', "path.resolve(process.cwd(), 'UP', 'data');"],
    ['a template climbing out', 'test/x.test.ts', 'const p = `${process.cwd()}/UP/data/x`;'],
    ['an absolute path into the share', 'test/x.test.ts', "readFileSync('/WORK/SHARE/fixtures/session-golden.json');"],
    ['the share under another parent', 'test/x.test.ts', 'const p = `${process.env.SHARED}/SHARE/seeds/page.txt`;'],
    ['an absolute path into a home folder', 'bench/x.ts', "const db = '/HOME/dana/switchboard.db';"],
    ['a module outside the repository', 'test/x.test.ts', "import { x } from 'UP/UP/other-repo/src/x.js';"],
    ['a dynamic import outside the repository', 'src/x.ts', "await import('UP/UP/x.js');"],
  ])('fails on %s', (_name, file, code) => {
    expect(reasons(file, code)).not.toEqual([]);
  });

  it.each([
    ['an import within the repository', 'test/events/support/x.ts', "import { a } from 'UP/UP/UP/src/app.js';"],
    ['the repository root from bin/', 'bin/switchboard.js', "const root = fileURLToPath(new URL('UP', import.meta.url));"],
    ['a fixture in the repository', 'test/support/fixtures.ts', "new URL('UP/fixtures/', import.meta.url);"],
    ['a route that tests path traversal', 'test/http/x.test.ts', "await app.inject('/sessions/UP/UP/etc/passwd');"],
    ['a URL', 'test/x.test.ts', "fetch('http://127.0.0.1:8080/a/UP/b');"],
    ['the word in a comment', 'test/x.test.ts', '// once read UP/SHARE/fixtures/x.json and /WORK/SHARE/\nconst a = 1;'],
    ['temporary files', 'test/x.test.ts', "mkdtempSync('/tmp/switchboard-');"],
    ['a child server beside the bench', 'bench/lib/child-server.ts', 'new URL(`UP/servers/${script}`, import.meta.url);'],
    ['join within the repository', 'test/support/x.ts', "join(import.meta.dirname, 'UP', 'fixtures');"],
  ])('passes %s', (_name, file, code) => {
    expect(reasons(file, code)).toEqual([]);
  });
});
