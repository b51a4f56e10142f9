/**
 * A data folder: one sub-folder per domain, named after it; every corpus file under a
 * domain's folder (recursively, sorted by path) is that domain's, except those under its
 * `heldout/` sub-folder, which, when there is one, are its held-out split instead of the
 * tail of its stream (or, with `heldOutFiles`, of a share of its files drawn by path).
 * Files at the top of the data folder and names starting with '.' are not read.
 *
 *   data/
 *     code/   a.jsonl.gz  b.jsonl.gz  heldout/c.jsonl.gz
 *     prose/  books/1.txt  books/2.txt  wiki.parquet
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusError } from '../errors.js';
import { fileFormat, USABLE_FILES } from '../sources/index.js';
import { splitFilesByHash } from './heldOutFiles.js';
import { DEFAULT_HELD_OUT, DEFAULT_TEXT_FIELD, listText, relativePath, type CorpusSpec, type DomainSpec, type SpecDefaults } from './spec.js';
import { walkFiles } from './walk.js';

/** The held-out sub-folder of a domain folder. */
export const HELDOUT_FOLDER = 'heldout';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A domain folder's files split into corpus files and others; an error when none is usable. */
function usableFiles(dir: string, what: string, domain: string, exclude: (p: string) => boolean): { files: string[]; ignored: string[] } {
  const found = walkFiles(dir, exclude);
  const files = found.filter((f) => fileFormat(f) !== undefined).map((f) => join(dir, f));
  const ignored = found.filter((f) => fileFormat(f) === undefined).map((f) => join(dir, f));
  if (files.length === 0) {
    const seen = found.length === 0 ? 'it is empty' : `found ${listText(found)}`;
    throw new CorpusError(`domain "${domain}" (${what} ${dir}) has no usable files: ${seen} (usable: ${USABLE_FILES})`, { domain });
  }
  return { files, ignored };
}

export function scanDirectory(dir: string, defaults: SpecDefaults): CorpusSpec {
  const names = readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();
  const domainNames = names.filter((n) => isDirectory(join(dir, n)) && join(dir, n) !== defaults.cacheDir);
  if (domainNames.length === 0) {
    const found = names.length === 0 ? 'the folder is empty' : `found only files at its top level: ${listText(names)}`;
    throw new CorpusError(`${dir}: no domain folders (${found}); put each domain's files in a sub-folder named after the domain, or give a manifest (.json)`, { file: dir });
  }
  const domains = domainNames.map((name): DomainSpec => {
    const domainDir = join(dir, name);
    const heldOutDir = join(domainDir, HELDOUT_FOLDER);
    const hasHeldOut = isDirectory(heldOutDir);
    const skip = (p: string): boolean => p === defaults.cacheDir || (hasHeldOut && p === heldOutDir);
    const found = usableFiles(domainDir, 'folder', name, skip);
    const heldOut = hasHeldOut ? usableFiles(heldOutDir, 'held-out folder', name, (p) => p === defaults.cacheDir) : undefined;
    // Without a heldout/ folder, a share of a domain's files when asked (a single file keeps the tail).
    const share = heldOut === undefined ? defaults.heldOutFiles : undefined;
    const split = share === undefined ? undefined : splitFilesByHash(found.files, share, (f) => relativePath(dir, f));
    return {
      name,
      files: split?.train ?? found.files,
      ignored: [...found.ignored, ...(heldOut?.ignored ?? [])],
      heldOutFiles: split?.heldOut ?? heldOut?.files,
      textField: defaults.textField ?? DEFAULT_TEXT_FIELD,
      heldOut: defaults.heldOut ?? DEFAULT_HELD_OUT,
      maxTokens: undefined,
    };
  });
  return { source: dir, kind: 'directory', root: dir, domains, prior: undefined, tokenizer: undefined, vocabSize: undefined };
}
