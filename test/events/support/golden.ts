import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../golden/', import.meta.url));

/**
 * The golden final SessionInfo of a scenario. `UPDATE_GOLDEN=1` writes the current result instead;
 * every written golden is reviewed by hand before it is committed.
 */
export function golden(name: string, actual: unknown): unknown {
  const path = `${dir}${name}.json`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`No golden for ${name}; run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A golden as committed (never written). */
export const readGolden = (name: string): unknown => JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
