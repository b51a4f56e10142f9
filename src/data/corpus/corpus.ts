/** A corpus opened from its shard index: domain infos, and readers over its shard files. */
import { CorpusError } from '../errors.js';
import { ShardFile, ShardReader, type ShardIndex } from '../shards/index.js';
import type { TokenReader } from '../tokenReader.js';
import type { CorpusDomainInfo, TokenCorpus } from './types.js';

export class ShardCorpus implements TokenCorpus {
  readonly vocabSize: number;
  readonly tokenizer: ShardIndex['tokenizer'];
  readonly identity: string;
  private closed = false;

  /** `files`: every shard of the index by file name, opened already (openCorpus). */
  constructor(
    private readonly files: ReadonlyMap<string, ShardFile>,
    private readonly index: ShardIndex,
    readonly domains: readonly CorpusDomainInfo[],
    readonly prior: readonly number[],
    readonly indexPath: string,
  ) {
    this.vocabSize = index.vocabSize;
    this.tokenizer = index.tokenizer;
    this.identity = index.identity;
  }

  reader(domain: number, split: 'train' | 'heldOut'): TokenReader {
    if (this.closed) throw new CorpusError(`corpus ${this.indexPath}: closed`);
    const d = this.index.domains[domain];
    if (!Number.isInteger(domain) || d === undefined) {
      throw new CorpusError(`corpus: no domain ${domain}; domains are 0–${this.index.domains.length - 1} (${this.index.domains.map((x) => x.name).join(', ')})`);
    }
    if (split !== 'train' && split !== 'heldOut') throw new CorpusError(`corpus: split must be "train" or "heldOut", got ${JSON.stringify(split)}`);
    const stream = split === 'heldOut' && d.heldOutStream !== null ? d.heldOutStream : d.stream;
    const range = d[split];
    return new ShardReader(this.files.get(stream.file)!, range.start, range.end, `domain "${d.name}" ${split === 'train' ? 'training' : 'held-out'} split`);
  }

  close(): void {
    this.closed = true;
    for (const f of this.files.values()) f.close();
  }
}
