/**
 * A handler's result that already exists in wire form (a stored canonical JSON document): JSON
 * clients get those bytes as they are; other formats parse them once, on demand. `identity`
 * (e.g. the session id) lets renderings of the same record be cached; documents without one are
 * rendered every time.
 */
export class StoredBody {
  private parsed: Record<string, unknown> | undefined;
  constructor(
    readonly json: string,
    readonly identity?: string,
  ) {}

  get value(): Record<string, unknown> {
    this.parsed ??= JSON.parse(this.json) as Record<string, unknown>;
    return this.parsed;
  }
}
