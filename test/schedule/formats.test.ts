/**
 * Each writer against the format its engine documents, on the staged mixture of a real
 * simulated ADO run: Megatron-LM's --data-path (read back by bash, then split as
 * get_blend_from_list does), OLMo-core's SourceMixtureList and MosaicML's streams (read
 * back by PyYAML, the loader both use, and checked against their validation rules), the
 * Hugging Face snippet (parsed by python3's ast; the probabilities through numpy's
 * choice(p=…), as interleave_datasets samples them), and CSV.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../src/runlog/index.js';
import {
  formatCsv,
  formatHf,
  formatMegatron,
  formatMosaic,
  formatOlmoCore,
  planSchedule,
  readWeightTrajectory,
  type SchedulePlan,
  type WeightTrajectory,
} from '../../src/schedule/index.js';
import { adomix, CLI } from '../helpers/cli.js';
import { firstPython } from '../helpers/python.js';

const python = await firstPython(['-c', 'import ast']);
const pyyaml = await firstPython(['-c', 'import yaml, numpy']);
if (python === undefined) console.log('no python3: the Python parse checks are skipped');
else if (pyyaml === undefined) console.log('no PyYAML/numpy: the YAML and probability checks in Python are skipped');

let dir: string;
let trajectory: WeightTrajectory;
let plan: SchedulePlan;
let withPaths: SchedulePlan;
let odd: SchedulePlan;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-schedule-formats-'));
  const run = join(dir, 'run');
  const r = adomix('simulate', '--scenario', 'noise-domain', '--policy', 'ado', '--steps', '1500', '--seed', '4', '--out', run, '--no-report', '--json');
  if (r.status !== 0) throw new Error(`${CLI} simulate failed: ${r.stderr}`);
  trajectory = await readWeightTrajectory(join(run, 'steplog.jsonl'));
  plan = planSchedule(trajectory, { stages: 3, seed: 4 });
  withPaths = planSchedule(trajectory, {
    stages: 2,
    paths: { prose: '/data/prose_text_document', code: 's3://bucket/code', json: 'data/json/*.jsonl', random: 'allenai/c4' },
  });
  // Domain names and paths that need quoting everywhere.
  const header = { adomix: 'steplog/1', domains: ["it's", 'a "b"', 'c,d', 'é ü'], unit: 'examples' };
  const lines = [JSON.stringify(header)];
  for (let t2 = 0; t2 < 40; t2++) {
    const w = t2 < 20 ? [0.4, 0.3, 0.2, 0.1] : [0.1, 0.2, 0.3, 0.4];
    lines.push(JSON.stringify({ step: t2, loss: [1, 1, 1, 1], count: [4, 3, 2, 1], weights: w }));
  }
  writeFileSync(join(dir, 'odd.jsonl'), lines.join('\n') + '\n');
  odd = planSchedule(await readWeightTrajectory(join(dir, 'odd.jsonl')), { stages: 2, paths: { "it's": "/data/it's here", 'é ü': '/d/$(rm -rf x)' } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The documents of a YAML stream as plain values, read by the yaml library (no errors allowed). */
function yamlDocs(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS());
}

function writeTemp(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('the plan of a real run', () => {
  it('has 3 stages tiling the 1500 steps, each summing to 1', () => {
    expect(plan.stages.map((s) => s.stage)).toEqual([1, 2, 3]);
    expect(plan.stages[0].startStep).toBe(0);
    expect(plan.stages[2].endStep).toBe(1499);
    for (let i = 1; i < 3; i++) expect(plan.stages[i].startStep).toBe(plan.stages[i - 1].endStep + 1);
    expect(sum(plan.stages.map((s) => s.steps))).toBe(1500);
    expect(sum(plan.stages.map((s) => s.amount))).toBe(1500 * 64); // noise-domain: 64 examples a step
    expect(plan.batch).toBe(64);
    for (const s of plan.stages) {
      expect(sum(s.weights)).toBeCloseTo(1, 14);
      expect(s.decimals.reduce((a, d) => a + BigInt(Math.round(Number(d) * 1e6)), 0n)).toBe(1_000_000n);
      s.weights.forEach((w, k) => expect(Math.abs(Number(s.decimals[k]) - w)).toBeLessThanOrEqual(1e-6));
    }
    // ADO moves the noise domain (random, half the natural mixture) down: stage by stage.
    const random = plan.domains.indexOf('random');
    expect(plan.stages[2].weights[random]).toBeLessThan(plan.stages[0].weights[random]);
  });
});

describe('megatron', () => {
  /** The words of each STAGE_<n> array, as bash has them after sourcing the file. */
  function stageWords(text: string, stages: number): string[][] {
    const file = writeTemp('blend.sh', text);
    run('bash', ['-n', file]);
    const out = run('bash', ['-c', 'set -eu; source "$1"; for ((i = 1; i <= $2; i++)); do declare -n a="STAGE_$i"; printf "%s\\x1f" "${a[@]}"; printf "\\x1e"; done', '_', file, String(stages)]);
    return out.split('\x1e').slice(0, -1).map((s) => s.split('\x1f').slice(0, -1));
  }

  /** Megatron's reading of a blend (megatron/core/datasets/utils.py get_blend_from_list): weight prefix pairs, weights by float(), then normalised. */
  function blend(words: string[]): { prefixes: string[]; weights: number[] } {
    expect(words.length % 2).toBe(0);
    const weights = words.filter((_, i) => i % 2 === 0).map((w) => {
      expect(w).toMatch(/^\d+(\.\d+)?$/); // float() parses it
      return Number(w);
    });
    const total = sum(weights);
    return { prefixes: words.filter((_, i) => i % 2 === 1), weights: weights.map((w) => w / total) };
  }

  it('gives each stage its --train-iters and a --data-path blend bash reads back exactly', () => {
    const words = stageWords(formatMegatron(plan), 3);
    expect(words).toHaveLength(3);
    words.forEach((w, i) => {
      const s = plan.stages[i];
      expect(w.slice(0, 3)).toEqual(['--train-iters', String(s.endIteration), '--data-path']);
      const b = blend(w.slice(3));
      expect(b.prefixes).toEqual(plan.domains);
      b.weights.forEach((x, k) => expect(x).toBeCloseTo(Number(s.decimals[k]), 15));
      expect(w.slice(3).filter((_, j) => j % 2 === 0)).toEqual(s.decimals);
    });
    expect(words.map((w) => Number(w[1]))).toEqual(plan.stages.map((s) => s.endStep + 1));
  });

  it('says how to fill in the prefixes, and the phase-transition form with the run\'s samples', () => {
    const text = formatMegatron(plan);
    expect(text).toContain('# Fill in: the prefixes of prose, code, json, random are their domain names');
    const transitions = plan.stages.slice(0, 2).map((s) => s.endIteration).join(',');
    expect(text).toContain(`--train-samples 96000 --phase-transition-iterations ${transitions}`);
    expect(text).toContain('megatron/training/arguments.py');
  });

  it('uses --paths as the prefixes, quoted for bash however odd', () => {
    const [first] = stageWords(formatMegatron(withPaths), 2);
    expect(blend(first.slice(3)).prefixes).toEqual(['/data/prose_text_document', 's3://bucket/code', 'data/json/*.jsonl', 'allenai/c4']);
    expect(formatMegatron(withPaths)).not.toContain('Fill in');
    const words = stageWords(formatMegatron(odd), 2);
    expect(blend(words[0].slice(3)).prefixes).toEqual(["/data/it's here", 'a "b"', 'c,d', '/d/$(rm -rf x)']);
    expect(words[0].slice(3).filter((_, j) => j % 2 === 0)).toEqual(['0.4', '0.3', '0.2', '0.1']);
    expect(words[1].slice(3).filter((_, j) => j % 2 === 0)).toEqual(['0.1', '0.2', '0.3', '0.4']);
    blend(words[1].slice(3)).weights.forEach((w, k) => expect(w).toBeCloseTo([0.1, 0.2, 0.3, 0.4][k], 15));
    expect(words.map((w) => w[1])).toEqual(['20', '40']);
  });
});

/** PyYAML's reading of a file of stage documents, checked by a Python script; its JSON output. */
function pythonYaml(text: string, check: string): unknown {
  const file = writeTemp('stages.yaml', text);
  const script = `import json, sys, yaml, numpy as np\ndocs = list(yaml.safe_load_all(open(sys.argv[1])))\n${check}\nprint(json.dumps(docs))`;
  return JSON.parse(run(pyyaml!, ['-c', script, file]));
}

describe('olmo-core', () => {
  // SourceMixtureConfig / SourceMixtureList.validate (allenai/OLMo-core src/olmo_core/data/source_mixture.py).
  const VALIDATE = `
FIELDS = {'source_name', 'target_ratio', 'paths', 'max_repetition_ratio', 'max_source_fraction'}
for d in docs:
    assert set(d) == {'sources'}, d
    assert d['sources'], 'sources must not be empty'
    for s in d['sources']:
        assert {'source_name', 'target_ratio', 'paths'} <= set(s) <= FIELDS, s
        assert isinstance(s['source_name'], str)
        assert isinstance(s['target_ratio'], float) and (s['target_ratio'] == 0 or 0 < s['target_ratio'] <= 1)
        assert isinstance(s['paths'], list) and s['paths'] and all(isinstance(p, str) for p in s['paths'])
        assert isinstance(s['max_repetition_ratio'], float) and s['max_repetition_ratio'] >= 1
        assert isinstance(s['max_source_fraction'], float) and 0 <= s['max_source_fraction'] <= 1
    total = np.sum([s['target_ratio'] for s in d['sources']])
    assert np.allclose(total, 1.0), total
if len(docs) == 1:
    yaml.safe_load(open(sys.argv[1]))  # SourceMixtureList.from_yaml's own loader
`;

  it('writes one SourceMixtureList per stage that PyYAML reads and OLMo-core\'s rules accept', () => {
    if (pyyaml === undefined) return;
    const docs = pythonYaml(formatOlmoCore(plan), VALIDATE) as { sources: { source_name: string; target_ratio: number; paths: string[] }[] }[];
    expect(docs).toHaveLength(3);
    docs.forEach((d, i) => {
      expect(d.sources.map((s) => s.source_name)).toEqual(plan.domains);
      expect(d.sources.map((s) => s.target_ratio)).toEqual(plan.stages[i].decimals.map(Number));
      expect(d.sources.map((s) => s.paths)).toEqual(plan.domains.map((n) => [n]));
    });
  });

  it('reads back with the yaml library too: comments mark what to fill in, and --paths fill it', () => {
    const text = formatOlmoCore(plan);
    expect(yamlDocs(text)).toHaveLength(3);
    expect(text).toContain('- prose # fill in: the token .npy files of "prose" (globs allowed)');
    expect(text).toContain('max_repetition_ratio: 1.0');
    const filled = formatOlmoCore(withPaths);
    expect(filled).not.toContain('fill in');
    const [first] = yamlDocs(filled) as { sources: { paths: string[] }[] }[];
    expect(first.sources.map((s) => s.paths[0])).toEqual([
      '/data/prose_text_document',
      's3://bucket/code',
      'data/json/*.jsonl',
      'allenai/c4',
    ]);
  });

  it('a one-stage file is a single SourceMixtureList, for SourceMixtureList.from_yaml', () => {
    const one = planSchedule(trajectory, { stages: 1 });
    const text = formatOlmoCore(one);
    expect(text).toContain('SourceMixtureList.from_yaml(path)');
    if (pyyaml === undefined) return;
    expect(pythonYaml(text, VALIDATE)).toHaveLength(1);
  });

  it('quotes odd names and paths', () => {
    if (pyyaml === undefined) return;
    const docs = pythonYaml(formatOlmoCore(odd), VALIDATE) as { sources: { source_name: string; paths: string[] }[] }[];
    expect(docs[0].sources.map((s) => s.source_name)).toEqual(["it's", 'a "b"', 'c,d', 'é ü']);
    expect(docs[0].sources.map((s) => s.paths[0])).toEqual(["/data/it's here", 'a "b"', 'c,d', '/d/$(rm -rf x)']);
  });
});

describe('mosaic', () => {
  // Stream's keyword arguments and rules (mosaicml/streaming streaming/base/stream.py).
  const VALIDATE = `
ARGS = {'remote', 'local', 'split', 'proportion', 'repeat', 'choose', 'download_retry', 'download_timeout', 'validate_hash', 'keep_zip'}
for d in docs:
    assert set(d) == {'streams'}, d
    streams = d['streams']
    assert isinstance(streams, dict) and streams
    for name, s in streams.items():
        assert set(s) <= ARGS, s
        assert 'remote' in s or 'local' in s
        assert sum(k in s for k in ('proportion', 'repeat', 'choose')) <= 1
        assert isinstance(s['proportion'], float) and s['proportion'] >= 0
    p = np.array([s['proportion'] for s in streams.values()], np.float64)
    p /= p.sum()  # Stream.apply_weights
    assert abs(p.sum() - 1) < 1e-12
`;

  it('writes one streams: block per stage that PyYAML reads and Stream accepts', () => {
    if (pyyaml === undefined) return;
    const docs = pythonYaml(formatMosaic(plan), VALIDATE) as { streams: Record<string, { local?: string; proportion: number }> }[];
    expect(docs).toHaveLength(3);
    docs.forEach((d, i) => {
      expect(Object.keys(d.streams)).toEqual(plan.domains);
      expect(Object.values(d.streams).map((s) => s.proportion)).toEqual(plan.stages[i].decimals.map(Number));
      expect(Object.values(d.streams).map((s) => s.local)).toEqual(plan.domains);
    });
  });

  it('puts URLs in remote and other paths in local', () => {
    const [first] = yamlDocs(formatMosaic(withPaths)) as { streams: Record<string, Record<string, unknown>> }[];
    expect(first.streams.code).toEqual({ remote: 's3://bucket/code', local: 'mds-cache/code', proportion: Number(withPaths.stages[0].decimals[withPaths.domains.indexOf('code')]) });
    expect(first.streams.prose.local).toBe('/data/prose_text_document');
    expect(formatMosaic(plan)).toContain('local: prose # fill in: the local directory of "prose"\'s MDS shards, or remote: its URL');
  });
});

describe('hf', () => {
  // Reads every interleave_datasets call (in order) and the sources dict with ast; sums the
  // probabilities as written, exactly (Decimal); and draws with numpy's choice(p=…) if numpy is there.
  const READ = `
import ast, json, sys
from decimal import Decimal
src = open(sys.argv[1]).read()
tree = ast.parse(src)
SIGNATURE = {'probabilities', 'seed', 'info', 'split', 'stopping_strategy'}  # huggingface/datasets src/datasets/combine.py
calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'id', None) == 'interleave_datasets'), key=lambda n: n.lineno)
stages = []
for c in calls:
    assert len(c.args) == 1 and isinstance(c.args[0], ast.List)
    kw = {k.arg: k.value for k in c.keywords}
    assert set(kw) <= SIGNATURE, kw
    assert sum(Decimal(ast.get_source_segment(src, e)) for e in kw['probabilities'].elts) == 1
    p = ast.literal_eval(kw['probabilities'])
    try:
        import numpy as np
        np.random.default_rng(0).choice(len(p), size=1000, p=p)
    except ImportError:
        pass
    stages.append({'datasets': [ast.literal_eval(e.slice) for e in c.args[0].elts], 'probabilities': p,
                   'seed': ast.literal_eval(kw['seed']), 'stopping_strategy': ast.literal_eval(kw['stopping_strategy'])})
sources = next(n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == 'sources')
loads = {ast.literal_eval(k): [ast.get_source_segment(src, a) for a in v.args] + [f'{x.arg}={ast.get_source_segment(src, x.value)}' for x in v.keywords] for k, v in zip(sources.keys, sources.values)}
print(json.dumps({'stages': stages, 'loads': loads}))
`;
  function readHf(text: string): { stages: { datasets: string[]; probabilities: number[]; seed: number; stopping_strategy: string }[]; loads: Record<string, string[]> } {
    return JSON.parse(run(python!, ['-c', READ, writeTemp('mix.py', text)]));
  }

  it('is Python with one interleave_datasets call per stage, probabilities summing to exactly 1', () => {
    if (python === undefined) return;
    const { stages, loads } = readHf(formatHf(plan));
    expect(stages).toHaveLength(3);
    stages.forEach((s, i) => {
      expect(s.datasets).toEqual(plan.domains);
      expect(s.probabilities).toEqual(plan.stages[i].decimals.map(Number));
      expect(s.seed).toBe(4);
      expect(s.stopping_strategy).toBe('all_exhausted');
    });
    expect(Object.keys(loads)).toEqual(plan.domains);
    expect(loads.prose).toEqual(['"prose"', 'split="train"', 'streaming=True']);
    expect(formatHf(plan)).toContain(`STAGES = [${plan.stages.map((s) => `(stage_${s.stage}, ${s.amount})`).join(', ')}]`);
  });

  it('loads data files with their builder, anything else as a Hub id or directory; odd names stay Python strings', () => {
    if (python === undefined) return;
    const { loads } = readHf(formatHf(withPaths));
    expect(loads).toEqual({
      prose: ['"/data/prose_text_document"', 'split="train"', 'streaming=True'],
      code: ['"s3://bucket/code"', 'split="train"', 'streaming=True'],
      json: ['"json"', 'data_files="data/json/*.jsonl"', 'split="train"', 'streaming=True'],
      random: ['"allenai/c4"', 'split="train"', 'streaming=True'],
    });
    const o = readHf(formatHf(odd));
    expect(Object.keys(o.loads)).toEqual(["it's", 'a "b"', 'c,d', 'é ü']);
    expect(o.stages[0].datasets).toEqual(["it's", 'a "b"', 'c,d', 'é ü']);
    expect(o.stages.map((s) => s.probabilities)).toEqual([
      [0.4, 0.3, 0.2, 0.1],
      [0.1, 0.2, 0.3, 0.4],
    ]);
  });
});

describe('csv', () => {
  it('has stage,start_step,end_step,<domain>… and one row per stage', () => {
    const lines = formatCsv(plan).trimEnd().split('\n');
    expect(lines[0]).toBe(`stage,start_step,end_step,${plan.domains.join(',')}`);
    expect(lines).toHaveLength(4);
    lines.slice(1).forEach((l, i) => {
      const cells = splitCsvLine(l)!;
      const s = plan.stages[i];
      expect(cells.slice(0, 3).map(Number)).toEqual([s.stage, s.startStep, s.endStep]);
      expect(cells.slice(3)).toEqual(s.decimals);
    });
  });

  it('quotes domain names that need it', () => {
    const [header, first] = formatCsv(odd).split('\n');
    expect(splitCsvLine(header)).toEqual(['stage', 'start_step', 'end_step', "it's", 'a "b"', 'c,d', 'é ü']);
    expect(splitCsvLine(first)).toEqual(['1', '0', '19', '0.4', '0.3', '0.2', '0.1']);
  });
});
