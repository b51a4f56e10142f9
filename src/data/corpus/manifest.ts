/**
 * A manifest corpus: the manifest (manifestSchema.ts) read, checked, and its paths and globs
 * resolved to files. Every error names the manifest, the domain and the entry:
 * `corpus.json: domain "code" (domains[0]): files[1] "data/x.txt" does not exist (/abs/data/x.txt)`.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { closestKey } from '../../mixing/schemaText.js';
import { describeFileType } from '../../runlog/index.js';
import { CorpusError, messageOf } from '../errors.js';
import { fileFormat, USABLE_FILES } from '../sources/index.js';
import { expandGlob, hasGlob } from './glob.js';
import { splitFilesByHash } from './heldOutFiles.js';
import { jsonSyntaxText, manifestIssueText, manifestSchema, type Manifest, type ManifestDomain } from './manifestSchema.js';
import { DEFAULT_HELD_OUT, DEFAULT_TEXT_FIELD, listText, relativePath, type CorpusSpec, type DomainSpec, type SpecDefaults } from './spec.js';
import { walkFiles } from './walk.js';

/**
 * The files a list of paths and globs names, sorted: every file a glob matches or a path
 * names (read as text unless structured, formats.ts), the corpus files of a folder (its
 * other files are `ignored`).
 */
function resolveEntries(where: string, field: string, entries: readonly string[], base: string, exclude: (p: string) => boolean): { files: string[]; ignored: string[] } {
  const seen = new Set<string>();
  const files: string[] = [];
  const ignored: string[] = [];
  const add = (f: string, usable: boolean): void => {
    if (seen.has(f)) return;
    seen.add(f);
    (usable ? files : ignored).push(f);
  };
  entries.forEach((entry, j) => {
    const label = `${field}[${j}] ${JSON.stringify(entry)}`;
    if (hasGlob(entry)) {
      const found = expandGlob(base, entry, exclude);
      if (found.length === 0) throw new CorpusError(`${where}: ${label} matches no file (relative to ${base})`);
      for (const f of found) add(f, true);
      return;
    }
    const abs = resolve(base, entry);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new CorpusError(`${where}: ${label} does not exist (${abs})`, { file: abs });
    }
    if (st.isFile()) return add(abs, true);
    if (!st.isDirectory()) throw new CorpusError(`${where}: ${label} is ${describeFileType(st)}, not a file or folder (${abs})`, { file: abs });
    const found = walkFiles(abs, exclude);
    if (found.length === 0) throw new CorpusError(`${where}: ${label} is an empty folder (${abs})`, { file: abs });
    for (const rel of found) add(join(abs, rel), fileFormat(rel) !== undefined);
  });
  if (files.length === 0) {
    throw new CorpusError(`${where}: no usable files: the folders in ${field} hold only ${listText(ignored.map((f) => basename(f)))} (usable: ${USABLE_FILES})`);
  }
  return { files: files.sort(), ignored: ignored.sort() };
}

function resolveDomain(file: string, m: Manifest, d: ManifestDomain, i: number, defaults: SpecDefaults): DomainSpec {
  const where = `${file}: domain "${d.name}" (domains[${i}])`;
  const base = dirname(file);
  const exclude = (p: string): boolean => p === defaults.cacheDir;
  const train = resolveEntries(where, 'files', d.files, base, exclude);
  let held = Array.isArray(d.heldOut) ? resolveEntries(where, 'heldOut', d.heldOut, base, exclude) : undefined;
  let files = d.maxFiles === undefined ? train.files : train.files.slice(0, d.maxFiles);
  // A share of the files: the domain's own (an error for one file), or the option's where the domain says nothing (one file keeps the tail).
  const ownShare = isFileShare(d.heldOut) ? d.heldOut.files : undefined;
  const share = ownShare ?? (d.heldOut === undefined ? defaults.heldOutFiles : undefined);
  const split = share === undefined ? undefined : splitFilesByHash(files, share, (f) => relativePath(base, f));
  if (ownShare !== undefined && split === undefined) throw new CorpusError(`${where}: heldOut {"files": ${share}} needs at least 2 files, and files names ${files.length}; use a fraction for a split of the stream's tail`);
  if (split !== undefined) {
    files = split.train;
    held = { files: split.heldOut, ignored: [] };
  } else if (held !== undefined) {
    const heldSet = new Set(held.files);
    const both = files.find((f) => heldSet.has(f));
    if (both !== undefined) throw new CorpusError(`${where}: ${both} is both a training file (files) and a held-out file (heldOut)`, { file: both });
  }
  return {
    name: d.name,
    files,
    ignored: [...train.ignored, ...(held?.ignored ?? [])],
    heldOutFiles: held?.files,
    textField: d.textField ?? defaults.textField ?? m.textField ?? DEFAULT_TEXT_FIELD,
    heldOut: typeof d.heldOut === 'number' ? d.heldOut : (defaults.heldOut ?? m.heldOut ?? DEFAULT_HELD_OUT),
    maxTokens: d.maxTokens,
  };
}

function isFileShare(h: ManifestDomain['heldOut']): h is { files: number } {
  return typeof h === 'object' && !Array.isArray(h);
}

/** The manifest's prior in domain order, normalised to sum 1. */
function manifestPrior(file: string, prior: NonNullable<Manifest['prior']>, names: string[]): number[] {
  let weights: number[];
  if (Array.isArray(prior)) {
    if (prior.length !== names.length) {
      throw new CorpusError(`${file}: prior has ${prior.length} weights for ${names.length} domains (one per domain, in the order of "domains")`, { file });
    }
    weights = prior;
  } else {
    for (const key of Object.keys(prior)) {
      if (!names.includes(key)) {
        const near = closestKey(key, names);
        throw new CorpusError(`${file}: prior names unknown domain "${key}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}; the domains are ${names.join(', ')}`, { file });
      }
    }
    const missing = names.find((n) => !Object.hasOwn(prior, n));
    if (missing !== undefined) throw new CorpusError(`${file}: prior has no weight for domain "${missing}"`, { file });
    weights = names.map((n) => prior[n]);
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new CorpusError(`${file}: prior weights sum to 0; at least one must be > 0`, { file });
  return weights.map((w) => w / sum);
}

export function readManifest(file: string, defaults: SpecDefaults): CorpusSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CorpusError(`cannot read manifest ${file}: ${messageOf(err)}`, { file }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CorpusError(jsonSyntaxText(file, text, err), { file });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new CorpusError(manifestIssueText(file, parsed.error), { file });
  const m = parsed.data;
  const names = m.domains.map((d) => d.name);
  names.forEach((name, i) => {
    const first = names.indexOf(name);
    if (first !== i) throw new CorpusError(`${file}: domains[${i}].name "${name}" is already the name of domains[${first}]`, { file, domain: name });
  });
  const domains = m.domains.map((d, i) => resolveDomain(file, m, d, i, defaults));
  return {
    source: file,
    kind: 'manifest',
    root: dirname(file),
    domains,
    prior: m.prior === undefined ? undefined : manifestPrior(file, m.prior, names),
    tokenizer: m.tokenizer,
    vocabSize: m.vocabSize,
  };
}
