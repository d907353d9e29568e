import type { IngestResult } from './ingest-events.js';
import type { RecordedEvent } from './session-event.js';

/**
 * Where the API and the webhooks hand events: resolves once they are durably committed and folded
 * (`EventIngest` in this thread, or `IngestThread` on the store's writer thread).
 */
export interface Ingest {
  ingest(events: readonly RecordedEvent[]): Promise<IngestResult>;
}
