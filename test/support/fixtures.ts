import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SessionInfo } from '../../src/model/session-info.js';

/** The golden files live in the repository (test/fixtures/README.md says where each came from). */
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A file of test/fixtures/, by name (e.g. `session-golden.xml`). */
export const readFixture = (name: string) => readFileSync(fixturesDir + name, 'utf8');

/**
 * The fixtures under the names they had in the share beside the clone (`fixtures/…`, `seeds/…`), for
 * branches written against it; new code calls `readFixture`.
 */
export const readShared = (path: string) => readFixture(path.replace(/^(fixtures|seeds)\//, ''));

export const goldenSession = (): SessionInfo => JSON.parse(readFixture('session-golden.json'));
