import type { Dto } from '../model/dto.js';
import { StoredBody } from '../http/stored-body.js';
import { writeJson } from '../wire/json-writer.js';

/**
 * A response whose `member` list holds stored canonical documents, spliced in as they are: the
 * rest of the response is written by its DTO, the documents are never parsed or re-written.
 *
 * @example
 * withDocuments(SessionList, 'items', ['{"id":"a"}'], { hasMorePages: false })
 */
export function withDocuments(dto: Dto, member: string, documents: readonly string[], rest: Record<string, unknown>): StoredBody {
  const envelope = writeJson(dto, { ...rest, [member]: [] });
  const empty = `"${member}":[]`;
  const at = envelope.indexOf(empty);
  if (at < 0) throw new Error(`${dto.meta.name} must write ${member}`);
  return new StoredBody(envelope.slice(0, at) + `"${member}":[` + documents.join(',') + ']' + envelope.slice(at + empty.length));
}
