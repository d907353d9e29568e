/**
 * Rendered bodies of stored documents, by a short key (the document's identity) and checked
 * against the document's text: the same JSON always renders to the same XML, so an entry whose
 * text matches can never be stale, whoever wrote the row and however. Keying by the text itself
 * made every hit hash ~3 KB (5% of an XML GET, bench get-session profile); comparing two flat
 * strings of equal length is a memcmp. Bounded; the oldest entry goes first.
 */
export class RenderedCache {
  private readonly entries = new Map<string, { readonly source: string; readonly rendered: string }>();
  constructor(private readonly capacity = 2_000) {}

  render(key: string, source: string, write: () => string): string {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.source === source) return hit.rendered;
    const rendered = write();
    if (hit !== undefined) this.entries.delete(key);
    else if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { source, rendered });
    return rendered;
  }
}
