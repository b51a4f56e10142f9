/**
 * The error of a corpus that cannot be opened: its message says what was wrong and where
 * (`data/code/a.jsonl:17: …`, `corpus.json: domains[1].files[0] …`, `domain "code" …`), and
 * the same facts are fields, for a caller that wants to point at them.
 */
export class CorpusError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly domain: string | undefined;

  constructor(message: string, where: { file?: string; line?: number; domain?: string } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorpusError';
    this.file = where.file;
    this.line = where.line;
    this.domain = where.domain;
  }
}

/** An error's message, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
