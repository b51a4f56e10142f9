/**
 * TensorBoard event files → a wide table of per-domain scalar series.
 *
 * An input is one event file or a directory searched recursively for files whose name
 * contains `tfevents` (TensorBoard's `events.out.tfevents.<time>.<host>…`), read in path
 * order. Each Summary.Value is named by its tag, prefixed with the file's directory relative
 * to the input (`train/epoch_loss`, `run_2/loss`) when that is not the input itself, so
 * runs of one log directory stay apart. `lossTags` (and `countTags`) match those names.
 *
 * A scalar is a `simple_value` (TF1, PyTorch's SummaryWriter, tensorboardX) or a tensor of
 * one element (TF2's `tf.summary.scalar`, newer PyTorch): DT_FLOAT, DT_DOUBLE, DT_HALF,
 * DT_BFLOAT16, DT_INT32 or DT_INT64, from its typed field or its `tensor_content`. A value
 * logged twice at one step (a restarted run) keeps the later one, and the replacements are
 * counted. SessionLog restarts are not interpreted.
 *
 * A corrupt record is an error naming the file and the byte offset. With `skipBad` a record
 * with a bad data checksum, or that is not an Event, is skipped and reading goes on; after a
 * bad length checksum or a truncated record nothing further in that file can be located
 * (TFRecord has no sync marker), so the rest of the file is skipped as one bad record.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { StepLogError, type SkippedLine } from '../runlog/index.js';
import { compilePattern, listNames, matchNames } from './columnPattern.js';
import { decodeEvent, DT, has, int64ToNumber, type SummaryValue, type Tensor } from './tensorboardProto.js';
import { TfRecordReader } from './tfrecord.js';
import type { WideTable } from './wideTable.js';

export interface TensorBoardOptions {
  /**
   * Regular expression over series names; its first group names the domain (`loss/(.*)`).
   * Without it the files are read and the error lists their scalar tags.
   */
  lossTags?: string;
  /** The same for per-domain count series (what the domain saw since the previous logged step). */
  countTags?: string;
  skipBad?: boolean;
  maxSkippedLines?: number;
}

export interface TensorBoardRead {
  table: WideTable;
  files: string[];
  /** Records read (all files), scalar values matched. */
  records: number;
  values: number;
  /** Values logged twice at one step, the earlier one replaced. */
  replaced: number;
  /** The series each domain came from. */
  lossSeries: string[];
  countSeries: string[];
  skipped: number;
  skippedLines: SkippedLine[];
}

/** Is this file name an event file's? */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** The event files under `path` (itself, when it is a file), sorted; symbolic links to directories are not followed. */
export async function eventFilesOf(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if ((e.isFile() || e.isSymbolicLink()) && isEventFileName(e.name)) out.push(p);
    }
  };
  await walk(path);
  return out;
}

/** IEEE 754 binary16 → number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 (the top half of a float32) → number. */
function bfloat16ToNumber(h: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (h & 0xffff) << 16);
  return view.getFloat32(0);
}

/** The one value of a one-element tensor, or what the tensor is instead. */
function tensorScalar(t: Tensor): number | string {
  const dims = t.tensor_shape?.dim ?? [];
  let elements = 1;
  for (const d of dims) elements *= int64ToNumber(d.size) ?? Infinity;
  if (elements !== 1) return `a tensor of shape [${dims.map((d) => String(int64ToNumber(d.size))).join(', ')}]`;
  const content = t.tensor_content !== undefined && t.tensor_content.length > 0 ? t.tensor_content : undefined;
  const view = content && new DataView(content.buffer, content.byteOffset, content.byteLength);
  const need = (bytes: number): boolean => view !== undefined && view.byteLength >= bytes;
  switch (t.dtype) {
    case DT.FLOAT:
      return t.float_val?.length ? t.float_val[0] : need(4) ? view!.getFloat32(0, true) : 'a DT_FLOAT tensor without a value';
    case DT.DOUBLE:
      return t.double_val?.length ? t.double_val[0] : need(8) ? view!.getFloat64(0, true) : 'a DT_DOUBLE tensor without a value';
    case DT.HALF:
      return t.half_val?.length ? halfToNumber(t.half_val[0]) : need(2) ? halfToNumber(view!.getUint16(0, true)) : 'a DT_HALF tensor without a value';
    case DT.BFLOAT16:
      return t.half_val?.length ? bfloat16ToNumber(t.half_val[0]) : need(2) ? bfloat16ToNumber(view!.getUint16(0, true)) : 'a DT_BFLOAT16 tensor without a value';
    case DT.INT32:
      return t.int_val?.length ? t.int_val[0] : need(4) ? view!.getInt32(0, true) : 'a DT_INT32 tensor without a value';
    case DT.INT64: {
      if (t.int64_val?.length) return int64ToNumber(t.int64_val[0]) ?? 'an int64 beyond 2^53';
      return need(8) ? Number(view!.getBigInt64(0, true)) : 'a DT_INT64 tensor without a value';
    }
    default:
      return `a tensor of dtype ${t.dtype ?? 0} (types.proto), not a number`;
  }
}

/** A Summary.Value's scalar, or a description of what it holds instead (`a histogram`). */
export function scalarOf(v: SummaryValue): number | string {
  if (has(v, 'simple_value')) return v.simple_value!;
  if (has(v, 'tensor')) return tensorScalar(v.tensor!);
  if (has(v, 'histo')) return 'a histogram';
  if (has(v, 'image')) return 'an image';
  if (has(v, 'audio')) return 'audio';
  return 'no value';
}

/** Series name → step → value, in order of first appearance. */
type SeriesMap = Map<string, Map<number, number>>;

/** Read the scalars of `path` (a file or a log directory) that the tag patterns match. */
export async function readTensorBoard(path: string, options: TensorBoardOptions): Promise<TensorBoardRead> {
  const lossRe = options.lossTags !== undefined ? compilePattern(options.lossTags, '--loss-tags') : /(?!)/;
  const countRe = options.countTags !== undefined ? compilePattern(options.countTags, '--count-tags') : undefined;
  const files = await eventFilesOf(path);
  if (files.length === 0)
    throw new StepLogError(`${path}: no TensorBoard event files (names containing "tfevents") in it or below it`, path, undefined);
  const root = (await stat(path)).isDirectory() ? path : dirname(path);
  const series: SeriesMap = new Map();
  const seen = new Set<string>(); // every scalar-looking name, for the "matches nothing" message
  const skippedLines: SkippedLine[] = [];
  const maxSkipped = options.maxSkippedLines ?? 100;
  let skipped = 0;
  let records = 0;
  let values = 0;
  let replaced = 0;

  for (const file of files) {
    const rel = relative(root, dirname(file)).split(sep).join('/');
    const prefix = rel === '' ? '' : `${rel}/`;
    const reader = await TfRecordReader.open(file);
    const bad = (offset: number, message: string, n: number): void => {
      const text = `${file}: byte ${offset}: ${message}`;
      if (!options.skipBad) throw new StepLogError(text, file, undefined);
      skipped++;
      if (skippedLines.length < maxSkipped) skippedLines.push({ line: n, message: text });
    };
    try {
      for (let r = await reader.next(); r !== undefined; r = await reader.next()) {
        records++;
        if (!r.ok) {
          const hint = r.offset === 0 && !r.resumable ? ' (is it a TensorBoard event file at all?)' : '';
          bad(r.offset, r.resumable ? r.message : `${r.message}${hint}; the remaining ${reader.unread} bytes of the file cannot be read (TFRecord has no marker to resynchronise on)`, records);
          continue;
        }
        let event;
        try {
          event = decodeEvent(r.data);
        } catch (err) {
          bad(r.offset, `not a valid Event protobuf: ${(err as Error).message}`, records);
          continue;
        }
        if (!has(event, 'summary') || event.summary == null) continue; // file_version, graphs, session logs
        const step = int64ToNumber(event.step);
        if (step === undefined || step < 0) {
          bad(r.offset, `event step ${String(event.step)} is not a non-negative safe integer`, records);
          continue;
        }
        for (const v of event.summary.value ?? []) {
          const name = prefix + (v.tag ?? '');
          const isLoss = lossRe.test(name);
          const isCount = countRe?.test(name) ?? false;
          if (!isLoss && !isCount) {
            if (typeof scalarOf(v) === 'number') seen.add(name);
            continue;
          }
          const x = scalarOf(v);
          if (typeof x === 'string') {
            bad(r.offset, `tag ${JSON.stringify(name)} at step ${step} holds ${x}, not a scalar; narrow ${isLoss ? '--loss-tags' : '--count-tags'} to scalar tags`, records);
            continue;
          }
          seen.add(name);
          let s = series.get(name);
          if (s === undefined) series.set(name, (s = new Map()));
          if (s.has(step)) replaced++;
          s.set(step, x);
          values++;
        }
      }
    } finally {
      await reader.close();
    }
  }
  return { ...toTable(path, series, [...seen], lossRe, countRe, options), files, records, values, replaced, skipped, skippedLines };
}

/** The matched series as a wide table: one row per step any of them logged. */
function toTable(
  path: string,
  series: SeriesMap,
  seen: string[],
  lossRe: RegExp,
  countRe: RegExp | undefined,
  options: TensorBoardOptions,
): { table: WideTable; lossSeries: string[]; countSeries: string[] } {
  const names = [...series.keys()];
  const tags = listNames(seen.sort(), 40) || 'none';
  if (options.lossTags === undefined)
    throw new StepLogError(`${path}: which tags are losses? give --loss-tags PATTERN (a regular expression whose first group names the domain, e.g. 'loss/(.*)'); the scalar tags: ${tags}`, path, undefined);
  const losses = matchNames(names, lossRe, '--loss-tags', 'tag', path);
  if (losses.length === 0)
    throw new StepLogError(`${path}: --loss-tags ${JSON.stringify(options.lossTags)} matches no scalar tag (tags: ${tags})`, path, undefined);
  const lossNames = new Set(losses.map((m) => m.name));
  const counts = countRe ? matchNames(names, countRe, '--count-tags', 'tag', path, (n) => lossNames.has(n)) : [];
  const domains = losses.map((m) => m.domain);
  const countOf = new Map(counts.map((m) => [m.domain, m.name]));
  if (countRe) {
    for (const m of counts) if (!domains.includes(m.domain)) throw new StepLogError(`${path}: count tag ${JSON.stringify(m.name)} gives domain ${JSON.stringify(m.domain)}, which no loss tag has (domains: ${domains.join(', ')})`, path, undefined);
    const missing = domains.filter((d) => !countOf.has(d));
    if (missing.length > 0) throw new StepLogError(`${path}: --count-tags ${JSON.stringify(options.countTags)} gives no count tag for domain${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, path, undefined);
  }
  const allSteps = new Set<number>();
  for (const m of [...losses, ...counts]) for (const s of series.get(m.name)!.keys()) allSteps.add(s);
  const step = Float64Array.from([...allSteps].sort((a, b) => a - b));
  const rowOf = new Map<number, number>();
  step.forEach((s, i) => rowOf.set(s, i));
  const column = (name: string, fill: number): Float64Array => {
    const out = new Float64Array(step.length).fill(fill);
    for (const [s, x] of series.get(name)!) out[rowOf.get(s)!] = x;
    return out;
  };
  const loss = losses.map((m) => column(m.name, NaN));
  losses.forEach((m, k) => {
    loss[k].forEach((x, i) => {
      if (!Number.isNaN(x) && !(Number.isFinite(x) && x >= 0))
        throw new StepLogError(`${path}: tag ${JSON.stringify(m.name)} at step ${step[i]}: ${x} is not a finite loss ≥ 0`, path, undefined);
    });
  });
  const table: WideTable = { source: path, domains, step, loss };
  if (countRe) {
    table.count = domains.map((d) => column(countOf.get(d)!, 0));
    table.count.forEach((c, k) => {
      c.forEach((x, i) => {
        if (!(Number.isFinite(x) && x >= 0)) throw new StepLogError(`${path}: tag ${JSON.stringify(countOf.get(domains[k]))} at step ${step[i]}: ${x} is not a finite count ≥ 0`, path, undefined);
      });
    });
  }
  return { table, lossSeries: losses.map((m) => m.name), countSeries: domains.map((d) => countOf.get(d) ?? '') };
}
