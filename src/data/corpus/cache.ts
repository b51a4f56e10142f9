/**
 * The shard cache folder: finding a shard built earlier, publishing the index only when it
 * changed (an unchanged corpus leaves every file of the cache untouched), and removing the
 * shards that no index there uses any more.
 */
import { lstatSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runlog/index.js';
import { parseShardIndex, parseShardStream, type ShardIndex, type ShardStream } from '../shards/index.js';

/** The index at `path` and its text; both undefined when there is none (or it is not one this version reads). */
export function readIndexFile(path: string): { index: ShardIndex | undefined; text: string | undefined } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { index: undefined, text: undefined };
  }
  return { index: parseShardIndex(text), text };
}

function intact(cacheDir: string, stream: ShardStream, bytesPerToken: number): boolean {
  try {
    const st = statSync(join(cacheDir, stream.file));
    return st.isFile() && st.size === stream.tokens * bytesPerToken;
  } catch {
    return false;
  }
}

/** The stream built earlier with `key` (named in the old index, or in the shard's own record), if its shard is intact. */
export function findStream(cacheDir: string, file: string, key: string, old: ShardIndex | undefined, bytesPerToken: number): ShardStream | undefined {
  const fromIndex = old?.domains.flatMap((d) => (d.heldOutStream ? [d.stream, d.heldOutStream] : [d.stream])).find((s) => s.key === key);
  let found = fromIndex;
  if (found === undefined) {
    try {
      found = parseShardStream(readFileSync(join(cacheDir, `${file}.json`), 'utf8'));
    } catch {
      found = undefined;
    }
  }
  return found !== undefined && found.key === key && intact(cacheDir, found, bytesPerToken) ? found : undefined;
}

/** Publishes `text` at `path` unless the file already holds exactly it; true when it wrote. */
export async function writeIndexIfChanged(path: string, text: string, oldText: string | undefined): Promise<boolean> {
  if (text === oldText) return false;
  await writeFileAtomic(path, text);
  return true;
}

const SHARD_NAME = /\.u(16|32)$/;
const INDEX_NAME = /(^|\.)index\.json$/;

/**
 * Deletes the shards (and their records) of `cacheDir` that no index there references, last
 * modified before `before` (ms since the epoch: a shard another process is building right
 * now is newer). Answers the names removed.
 */
export function removeUnusedShards(cacheDir: string, before: number): string[] {
  const names = readdirSync(cacheDir);
  const used = new Set<string>();
  for (const n of names.filter((n) => INDEX_NAME.test(n))) {
    const { index } = readIndexFile(join(cacheDir, n));
    if (index === undefined) return []; // an index we cannot read may use any shard: keep them all
    for (const d of index.domains) for (const s of [d.stream, d.heldOutStream]) if (s) used.add(s.file);
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!SHARD_NAME.test(n) || used.has(n)) continue;
    const path = join(cacheDir, n);
    try {
      const st = lstatSync(path);
      if (!st.isFile() || st.mtimeMs >= before) continue;
      unlinkSync(path);
      removed.push(n);
      unlinkSync(`${path}.json`);
    } catch {
      /* gone already, or no record */
    }
  }
  return removed;
}
