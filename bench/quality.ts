/**
 * `npm run bench -- quality [--json] [--steps N] [--seeds N] [--policies a,b,c] [--backend NAME] [--config JSON]`
 *
 * Policies: ado, natural, balanced (default), odm, ado-reference (the authors' ADO,
 * with the run's schedule), ado-per-domain (n counts each domain's own examples).
 * --config merges a JSON train config.
 *
 * Does ADO train a better model than a fixed mixture, on the same budget? The built-in
 * task (`adomix train`'s defaults: the character LM on code, prose, json and random
 * characters) is trained for `steps` steps with ADO, the natural mixture and the balanced
 * one, `seeds` seeds each (seed = model initialisation, sampling and shuffling; the
 * corpus is the same). Figure: held-out loss (nats/char) averaged over the learnable
 * domains and over seeds; the random domain, whose loss cannot fall below ln 96, is
 * reported apart.
 *
 * Last line: {"bench":"quality","steps":…,"seeds":3,"heldOut":{"ado":…,"natural":…,"balanced":…},…}
 */
import type { BenchArgs } from './run.js';
import { intOption } from './_util.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';
import { runBuiltinTraining } from '../src/train/runTraining.js';
import { adoScheduleFor, parseTrainConfig, type TrainConfig } from '../src/train/trainConfig.js';

/** Policies the bench can compare: the train command's, plus ADO as the authors' code has it (`preset: 'reference'`: ρ ∝ μ·slope·h^0.5) and ADO counting each domain's own examples. */
const VARIANTS: Record<string, { policy: TrainConfig['policy']; ado?: Partial<TrainConfig['ado']> }> = {
  ado: { policy: 'ado' },
  natural: { policy: 'natural' },
  balanced: { policy: 'balanced' },
  odm: { policy: 'odm' },
  'ado-reference': { policy: 'ado', ado: { preset: 'reference' } },
  'ado-per-domain': { policy: 'ado', ado: { countMode: 'per-domain' } },
};

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(args: BenchArgs): Promise<void> {
  const steps = intOption(args, 'steps', parseTrainConfig({}).steps);
  const seeds = intOption(args, 'seeds', 3);
  const policies = (args.options.policies ?? 'ado,natural,balanced').split(',').map((p) => p.trim());
  for (const p of policies) if (VARIANTS[p] === undefined) throw new Error(`--policies: unknown policy ${JSON.stringify(p)}; choose from ${Object.keys(VARIANTS).join(', ')}`);
  const extra = args.options.config !== undefined ? (JSON.parse(args.options.config) as Record<string, unknown>) : {};
  const backend = await selectBackend({ backend: args.options.backend });
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  say(`quality: ${describeBackend(backend)}; ${policies.join(', ')} × ${seeds} seeds × ${steps} steps`);

  let domains: string[] = [];
  const perRun: { policy: string; seed: number; heldOut: number[]; weights: number[]; seconds: number }[] = [];
  // Seeds outermost, policies interleaved inside: machine-load drift hits every policy alike.
  for (let seed = 0; seed < seeds; seed++) {
    for (const policy of policies) {
      const variant = VARIANTS[policy];
      const config = parseTrainConfig({
        ...extra,
        ...variant,
        ado: { ...((extra.ado as object | undefined) ?? {}), ...(variant.ado ?? {}) },
        steps,
        seed,
        backend: backend.name,
        refit: 'worker',
      });
      const r = await runBuiltinTraining(config, { backend });
      domains = r.domains;
      perRun.push({ policy, seed, heldOut: Array.from(r.heldOut), weights: Array.from(r.weights), seconds: r.seconds });
      const learn = r.domains.map((d, k) => [d, r.heldOut[k]] as const).filter(([d]) => d !== 'random');
      say(
        `  seed ${seed} ${policy.padEnd(8)} held-out ${r.domains.map((d, k) => `${d} ${r.heldOut[k].toFixed(4)}`).join('  ')}` +
          `  | learnable mean ${mean(learn.map(([, x]) => x)).toFixed(4)} | final weights ${Array.from(r.weights, (w) => w.toFixed(3)).join('/')} | ${r.seconds.toFixed(0)} s`,
      );
    }
  }
  const learnable = domains.map((d, k) => (d === 'random' ? -1 : k)).filter((k) => k >= 0);
  const randomK = domains.indexOf('random');
  const heldOut: Record<string, number> = {};
  const random: Record<string, number> = {};
  const perDomain: Record<string, Record<string, number>> = {};
  const perSeed: Record<string, number[]> = {};
  const finalWeights: Record<string, Record<string, number>> = {};
  for (const policy of policies) {
    const runs = perRun.filter((r) => r.policy === policy);
    perSeed[policy] = runs.map((r) => round(mean(learnable.map((k) => r.heldOut[k]))));
    heldOut[policy] = round(mean(perSeed[policy]));
    if (randomK >= 0) random[policy] = round(mean(runs.map((r) => r.heldOut[randomK])));
    perDomain[policy] = Object.fromEntries(domains.map((d, k) => [d, round(mean(runs.map((r) => r.heldOut[k])))]));
    finalWeights[policy] = Object.fromEntries(domains.map((d, k) => [d, round(mean(runs.map((r) => r.weights[k])), 3)]));
  }
  const base = parseTrainConfig({ ...extra, steps });
  const result = {
    bench: 'quality',
    backend: backend.name,
    steps,
    seeds,
    heldOut,
    random,
    perSeed,
    perDomain,
    finalWeights,
    ado: { preset: base.ado.preset ?? 'default', countMode: base.ado.countMode ?? 'same-step', ...adoScheduleFor(steps, base.ado) },
    adoWins: policies.includes('ado') ? policies.filter((p) => p !== 'ado').every((p) => heldOut.ado < heldOut[p]) : null,
    seconds: round(perRun.reduce((a, r) => a + r.seconds, 0), 1),
  };
  if (!args.json) {
    say(`mean held-out loss over learnable domains (${learnable.map((k) => domains[k]).join(', ')}):`);
    for (const p of policies) say(`  ${p.padEnd(8)} ${heldOut[p].toFixed(4)}   (random ${random[p]?.toFixed(4) ?? '—'})`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
