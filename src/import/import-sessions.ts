import { fromWire } from '../model/from-wire.js';
import { SessionInfo } from '../model/session-info.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { SessionWriter } from '../events/session-writer.js';

export interface ImportProblem {
  /** Position of the record in the file's list, from 0. */
  readonly index: number;
  readonly id?: string;
  readonly reason: string;
}

export interface ImportReport {
  readonly imported: number;
  /** Records whose id is already stored: left as they are, so a second run changes nothing. */
  readonly alreadyPresent: number;
  readonly rejected: readonly ImportProblem[];
}

/**
 * Imports sessions exported from Evo Voice, keeping their ids and dates. Each record lands whole
 * or not at all; a bad record is reported and the rest still land.
 */
export async function importSessions(
  writer: SessionWriter,
  records: readonly unknown[],
  /** Runs for every record that lands (or was already there): e.g. creating its directory records. */
  onStored: (session: SessionInfo) => Promise<void> = async () => {},
): Promise<ImportReport> {
  let imported = 0;
  let alreadyPresent = 0;
  const rejected: ImportProblem[] = [];
  for (const [index, record] of records.entries()) {
    const read = fromWire<SessionInfo>(SessionInfo, record);
    if (!read.ok) {
      const id = typeof record === 'object' && record !== null ? idOf(record) : undefined;
      rejected.push({ index, id, reason: read.problems.map((p) => `${p.field}: ${p.message}`).join('; ') });
      continue;
    }
    const session = read.value;
    const problem = missing(session);
    if (problem) {
      rejected.push({ index, id: session.id, reason: problem });
      continue;
    }
    if ((await writer.writeWhole([{ session, source: 'import' }])).size) imported++;
    else alreadyPresent++;
    await onStored(session);
  }
  return { imported, alreadyPresent, rejected };
}

function idOf(record: object): string | undefined {
  const id = Object.entries(record).find(([k]) => k.toLowerCase() === 'id')?.[1];
  return typeof id === 'string' ? id : undefined;
}

function missing(session: SessionInfo): string | undefined {
  try {
    assertSessionId(session.id);
  } catch (error) {
    return `Id: ${(error as Error).message}`;
  }
  if (!session.accountId) return 'AccountId: every session belongs to an account';
  return undefined;
}
