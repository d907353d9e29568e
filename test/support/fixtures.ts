import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SessionInfo } from '../../src/model/session-info.js';

/** The golden files live in the repository (test/fixtures/README.md says where each came from). */
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A file of test/fixtures/, by name (e.g. `session-golden.xml`). */
export const readFixture = (name: string) => readFileSync(fixturesDir + name, 'utf8');

export const goldenSession = (): SessionInfo => JSON.parse(readFixture('session-golden.json'));
