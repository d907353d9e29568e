import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SessionInfo } from '../../src/model/session-info.js';

/** shared/ sits beside the clone, on developer machines and in CI alike. */
const sharedDir = fileURLToPath(new URL('../../../shared/', import.meta.url));

export const readShared = (path: string) => readFileSync(sharedDir + path, 'utf8');
export const goldenSession = (): SessionInfo => JSON.parse(readShared('fixtures/session-golden.json'));
