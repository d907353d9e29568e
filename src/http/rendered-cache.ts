/**
 * Rendered bodies of stored documents, keyed by the document's own text: the same JSON always
 * renders to the same XML, so an entry can never be stale, whoever wrote the row and however.
 * Bounded; the oldest entry goes first. Saves the parse and the XML write on repeated reads.
 */
export class RenderedCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly capacity = 2_000) {}

  render(source: string, write: () => string): string {
    const hit = this.entries.get(source);
    if (hit !== undefined) return hit;
    const rendered = write();
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(source, rendered);
    return rendered;
  }
}
