/** Streaming line reading for step logs (node:readline), so a 100 MB log never sits in memory as one string. */
import { createReadStream, type ReadStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';

/** An open file read line by line; `next()` answers the next line or undefined at the end. */
export class LineSource {
  private readonly rl: Interface;
  private readonly input: ReadStream;
  private readonly it: AsyncIterator<string>;
  /** 1-based number of the last line returned. */
  lineNo = 0;

  constructor(readonly path: string) {
    this.input = createReadStream(path, { encoding: 'utf8' });
    this.rl = createInterface({ input: this.input, crlfDelay: Infinity });
    this.it = this.rl[Symbol.asyncIterator]();
  }

  async next(): Promise<string | undefined> {
    let r: IteratorResult<string>;
    try {
      r = await this.it.next();
    } catch (err) {
      this.close();
      throw new Error(`cannot read ${this.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (r.done) return undefined;
    this.lineNo++;
    return r.value;
  }

  close(): void {
    this.rl.close();
    this.input.destroy();
  }
}

/** Call `fn(line, lineNo)` for every line of a string (any of \n, \r\n). */
export function forEachLineOf(text: string, fn: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    if (!(end === text.length && start === end)) fn(text.slice(start, end), lineNo); // no phantom last line
    start = end + 1;
  }
}
