/**
 * Lines of a byte stream: each line (without its `\n` and a `\r` before it) decoded as UTF-8
 * and handed to `onLine` with its 1-based number. A line longer than `maxLineBytes` is never
 * assembled: `onLine` gets null for it (its bytes are skipped through the next newline), so
 * one corrupt gigabyte-long "line" cannot exhaust memory.
 */
export async function forEachLine(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes: number,
  onLine: (line: string | null, lineNo: number) => boolean | void,
): Promise<void> {
  const parts: Buffer[] = [];
  let partBytes = 0;
  let overlong = false;
  let lineNo = 0;

  /** The current line: what earlier chunks held plus chunk[start, end). */
  const finish = (chunk: Buffer, start: number, end: number): string | null => {
    if (overlong || partBytes + (end - start) > maxLineBytes) return null;
    let line: Buffer;
    if (parts.length === 0) line = chunk.subarray(start, end);
    else {
      parts.push(chunk.subarray(start, end));
      line = Buffer.concat(parts, partBytes + (end - start));
    }
    const len = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    return line.toString('utf8', 0, len);
  };
  const reset = (): void => {
    parts.length = 0;
    partBytes = 0;
    overlong = false;
  };

  for await (const chunk of chunks) {
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl < 0) break;
      const line = finish(chunk, pos, nl);
      reset();
      pos = nl + 1;
      if (onLine(line, ++lineNo) === false) return;
    }
    // The rest of the chunk begins the next line: keep a copy (the stream may reuse its buffer).
    const rest = chunk.length - pos;
    if (rest > 0 && !overlong) {
      if (partBytes + rest > maxLineBytes) {
        overlong = true;
        parts.length = 0;
      } else {
        parts.push(Buffer.from(chunk.subarray(pos)));
        partBytes += rest;
      }
    }
  }
  if (partBytes > 0 || overlong) onLine(finish(Buffer.alloc(0), 0, 0), ++lineNo);
}
