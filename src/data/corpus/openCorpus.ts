/**
 * `openCorpus(PATH)`: a data folder (directory.ts) or a manifest (manifest.ts) as token
 * shards, tokenised once into a cache and reused while the inputs are unchanged.
 *
 * 1. Find the domains and their files; fingerprint every file (size, mtime, sampled hash).
 * 2. Per stream (a domain's files; its held-out files), its key: the fingerprints and the
 *    settings its tokens depend on. A shard with that key in the cache is reused; the
 *    others are tokenised, domain by domain, files in path order (the same inputs give
 *    byte-identical shards).
 * 3. Open every shard, split each domain (split.ts), check every split holds a window, and
 *    publish the index, atomically and only if it changed; shards no index uses any more are
 *    removed (a run that opened them keeps reading them).
 */
import { mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isSameFile, removeStaleTempsIn, resolveOutputTarget } from '../../runlog/index.js';
import { CorpusError, messageOf } from '../errors.js';
import { bytesPerToken, dtypeFor, fingerprint, formatShardIndex, ShardFile, SHARDS_FORMAT, type IndexDomain, type ShardIndex, type ShardStream, type TokenDtype } from '../shards/index.js';
import { fileFormat } from '../sources/index.js';
import { byteTokenizer, gpt2Tokenizer, type Tokenizer } from '../tokenizers/index.js';
import { buildStream, shardFileName, streamKey, type BuildSettings, type StreamPlan } from './build.js';
import { findStream, readIndexFile, removeUnusedShards, writeIndexIfChanged } from './cache.js';
import { ShardCorpus } from './corpus.js';
import { scanDirectory } from './directory.js';
import { corpusIdentity } from './identity.js';
import { readManifest } from './manifest.js';
import { BuildProgress } from './progress.js';
import { relativePath, type CorpusSpec, type DomainSpec } from './spec.js';
import { filesSplit, tailSplit } from './split.js';
import type { CorpusOptions, TokenCorpus } from './types.js';

/** The vocabulary of .bin files nobody declared: all a uint16 can hold. */
const UNDECLARED_BIN_VOCAB = 65536;

function checkOptions(o: CorpusOptions): void {
  const bad = (what: string, v: unknown): never => {
    throw new CorpusError(`openCorpus: ${what}, got ${JSON.stringify(v)}`);
  };
  if (o.tokenizer !== undefined && o.tokenizer !== 'byte' && o.tokenizer !== 'gpt2') bad('tokenizer must be "byte" or "gpt2"', o.tokenizer);
  if (o.heldOut !== undefined && !(Number.isFinite(o.heldOut) && o.heldOut >= 0 && o.heldOut < 1)) bad('heldOut must be a fraction in [0, 1)', o.heldOut);
  if (o.heldOutFiles !== undefined && !(Number.isFinite(o.heldOutFiles) && o.heldOutFiles > 0 && o.heldOutFiles < 1)) bad('heldOutFiles must be a share of the files in (0, 1)', o.heldOutFiles);
  if (o.textField !== undefined && (typeof o.textField !== 'string' || o.textField === '')) bad('textField must be a non-empty field name', o.textField);
  if (o.minTokens !== undefined && !(Number.isSafeInteger(o.minTokens) && o.minTokens >= 1)) bad('minTokens must be an integer ≥ 1', o.minTokens);
}

/** Refuses outputs that are an input file (through links) or not regular files, before anything is written. */
function checkOutputs(outputs: string[], spec: CorpusSpec): void {
  for (const out of outputs) {
    resolveOutputTarget(out);
    for (const d of spec.domains) {
      const input = [...d.files, ...(d.heldOutFiles ?? [])].find((f) => isSameFile(f, out));
      if (input !== undefined) {
        throw new CorpusError(`${out} is input file ${input} of domain "${d.name}"; the cache would overwrite it: choose another cacheDir`, { file: input, domain: d.name });
      }
    }
  }
}

/** The tokeniser, its name and vocabulary: declared, or 'pretokenized' for a corpus of .bin files only. */
async function chooseTokenizer(spec: CorpusSpec, options: CorpusOptions): Promise<{ tokenizer: Tokenizer | undefined; name: ShardIndex['tokenizer']; vocabSize: number }> {
  if (options.tokenizer !== undefined && spec.tokenizer !== undefined && options.tokenizer !== spec.tokenizer) {
    throw new CorpusError(`${spec.source}: the manifest declares tokenizer "${spec.tokenizer}", but "${options.tokenizer}" was asked for`, { file: spec.source });
  }
  const declared = options.tokenizer ?? spec.tokenizer;
  const allBin = spec.domains.every((d) => [...d.files, ...(d.heldOutFiles ?? [])].every((f) => fileFormat(f)?.kind === 'bin'));
  if (allBin && declared === undefined) return { tokenizer: undefined, name: 'pretokenized', vocabSize: spec.vocabSize ?? UNDECLARED_BIN_VOCAB };
  const tokenizer = declared === 'gpt2' ? await gpt2Tokenizer() : byteTokenizer;
  if (spec.vocabSize !== undefined && spec.vocabSize !== tokenizer.vocabSize) {
    throw new CorpusError(`${spec.source}: vocabSize ${spec.vocabSize} is not the ${tokenizer.name} tokeniser's ${tokenizer.vocabSize}`, { file: spec.source });
  }
  return { tokenizer, name: tokenizer.name as 'byte' | 'gpt2', vocabSize: tokenizer.vocabSize };
}

function planOf(spec: CorpusSpec, d: DomainSpec, heldOut: boolean, skipBadLines: boolean): StreamPlan {
  const files = heldOut ? (d.heldOutFiles ?? []) : d.files;
  return {
    domain: d.name,
    heldOut,
    files,
    fingerprints: files.map((f) => fingerprint(f, relativePath(spec.root, f))),
    textField: d.textField,
    // maxTokens caps the domain's own files; held-out files are read whole.
    maxTokens: heldOut ? null : (d.maxTokens ?? null),
    skipBadLines,
  };
}

export async function openCorpus(path: string, options: CorpusOptions = {}): Promise<TokenCorpus> {
  checkOptions(options);
  const started = Date.now();
  const source = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    throw new CorpusError(`${path}: no such file or folder (give a folder with one sub-folder per domain, or a manifest .json)`, { file: path });
  }
  const cacheDir = resolve(options.cacheDir ?? join(isDir ? source : dirname(source), '.adomix-cache'));
  const indexPath = join(cacheDir, isDir ? 'index.json' : `${basename(source)}.index.json`);
  const defaults = { textField: options.textField, heldOut: options.heldOut, heldOutFiles: options.heldOutFiles, cacheDir };
  const spec = isDir ? scanDirectory(source, defaults) : readManifest(source, defaults);
  const minTokens = options.minTokens ?? 1;
  const skipBadLines = options.skipBadLines ?? false;

  const { tokenizer, name, vocabSize } = await chooseTokenizer(spec, options);
  const dtype = dtypeFor(vocabSize);
  const settings: BuildSettings = { tokenizer, tokenizerName: name, vocabSize, dtype, cacheDir };
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (err) {
    throw new CorpusError(`cannot make the cache folder ${cacheDir}: ${messageOf(err)}`, { file: cacheDir }, { cause: err });
  }
  removeStaleTempsIn(cacheDir);
  const old = readIndexFile(indexPath);

  // Which streams are cached, which must be tokenised.
  const plans = spec.domains.map((d) => ({ main: planOf(spec, d, false, skipBadLines), held: d.heldOutFiles ? planOf(spec, d, true, skipBadLines) : undefined }));
  const jobs = plans.flatMap((p) => (p.held ? [p.main, p.held] : [p.main])).map((plan) => {
    const key = streamKey(plan, settings);
    const file = shardFileName(plan.domain, plan.heldOut, key, dtype);
    return { plan, key, file, cached: findStream(cacheDir, file, key, old.index, bytesPerToken(dtype)) };
  });
  const toBuild = jobs.filter((j) => j.cached === undefined);
  checkOutputs([indexPath, ...toBuild.flatMap((j) => [join(cacheDir, j.file), join(cacheDir, `${j.file}.json`)])], spec);
  const progress = new BuildProgress(
    toBuild.reduce((a, j) => a + j.plan.fingerprints.reduce((b, f) => b + f.size, 0), 0),
    options.onProgress,
  );
  // Each shard is opened as soon as it is found or built, before the index is published:
  // another openCorpus of this cache with other settings may publish its own index and remove
  // the shards it does not name, and an open shard stays readable. One removed between being
  // found and being opened is built again.
  const streams = new Map<StreamPlan, ShardStream>();
  const files = new Map<string, ShardFile>();
  try {
    for (const j of jobs) {
      let stream = j.cached;
      for (let attempt = 1; ; attempt++) {
        stream ??= await buildStream(j.plan, j.key, settings, progress);
        const opened = openShard(join(cacheDir, stream.file), dtype, attempt < 3);
        if (opened !== undefined) {
          files.set(stream.file, opened);
          break;
        }
        stream = undefined;
      }
      streams.set(j.plan, stream);
    }

    const domains: IndexDomain[] = spec.domains.map((d, k) => {
      const stream = streams.get(plans[k].main)!;
      const held = plans[k].held ? streams.get(plans[k].held!)! : null;
      const split = held ? filesSplit(d.name, stream.tokens, held.tokens, minTokens) : tailSplit(d.name, stream.tokens, d.heldOut, minTokens);
      return { name: d.name, stream, heldOutStream: held, split: split.rule, train: split.train, heldOut: split.heldOut };
    });
    const unsigned = { format: SHARDS_FORMAT, tokenizer: name, vocabSize, dtype, domains } as const;
    const index: ShardIndex = { ...unsigned, identity: corpusIdentity(unsigned) };
    if (await writeIndexIfChanged(indexPath, formatShardIndex(index), old.text)) removeUnusedShards(cacheDir, started);

    const trainTokens = domains.map((d) => d.train.end - d.train.start);
    const total = trainTokens.reduce((a, b) => a + b, 0);
    const prior = spec.prior ?? trainTokens.map((t) => t / total);
    const infos = spec.domains.map((d, k) => ({
      name: d.name,
      files: d.files,
      heldOutFiles: d.heldOutFiles ?? [],
      ignored: d.ignored,
      trainTokens: trainTokens[k],
      heldOutTokens: domains[k].heldOut.end - domains[k].heldOut.start,
      skippedLines: domains[k].stream.skippedLines + (domains[k].heldOutStream?.skippedLines ?? 0),
    }));
    return new ShardCorpus(files, index, infos, prior, indexPath);
  } catch (err) {
    for (const f of files.values()) f.close();
    throw err;
  }
}

/** The shard opened, or undefined when it no longer exists and `retry` allows building it again. */
function openShard(path: string, dtype: TokenDtype, retry: boolean): ShardFile | undefined {
  try {
    return new ShardFile(path, dtype).open();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && retry) return undefined;
    throw new CorpusError(`cannot open shard ${path}: ${messageOf(err)}`, { file: path }, { cause: err });
  }
}
