/**
 * The named scenario suite: small worlds that each isolate one thing a mixture policy
 * must get right, plus one shaped like a web-scale pretraining mix.
 *
 * Budget (unless overridden): 20,000 steps × 64 examples = 1.28 M examples (pile22: × 128).
 * ADO's first fit comes after 1,000 steps, so runs need many steps more than that. Curves are
 * L = ε + β·(m + n0)^(−α) in examples, n0 = 100; losses in nats.
 */
import { parseScenarioSpec, type ScenarioSpec } from './scenarioSpec.js';
import type { Scenario } from './types.js';

const SPECS: ScenarioSpec[] = [
  {
    name: 'equal',
    description:
      'Four domains with identical curves but a skewed natural mix: the best mixture is balanced, ' +
      'so a policy must undo the prior.',
    domains: ['a', 'b', 'c', 'd'].map((name, k) => ({
      name,
      epsilon: 2.0,
      beta: 20,
      alpha: 0.3,
      prior: [0.55, 0.25, 0.15, 0.05][k],
    })),
  },
  {
    name: 'noise-domain',
    description:
      'Three learnable domains and one of pure noise (random bytes, loss ln 256 ≈ 5.55 whatever you do): ' +
      'every example spent on it is wasted.',
    domains: [
      { name: 'prose', epsilon: 2.4, beta: 22, alpha: 0.3, prior: 0.2 },
      { name: 'code', epsilon: 1.6, beta: 18, alpha: 0.35, prior: 0.15 },
      { name: 'json', epsilon: 1.2, beta: 15, alpha: 0.4, prior: 0.15 },
      { name: 'random', epsilon: Math.log(256), beta: 0, alpha: 0.3, prior: 0.5 },
    ],
  },
  {
    name: 'slow-steady',
    description:
      'Three fast domains that flatten early and one slow but steady domain (small α, large β) ' +
      'that keeps paying off to the end of the budget.',
    domains: [
      { name: 'fast-1', epsilon: 2.0, beta: 60, alpha: 0.6, prior: 0.3 },
      { name: 'fast-2', epsilon: 2.2, beta: 60, alpha: 0.6, prior: 0.3 },
      { name: 'fast-3', epsilon: 1.8, beta: 60, alpha: 0.6, prior: 0.3 },
      { name: 'slow', epsilon: 1.5, beta: 6, alpha: 0.12, prior: 0.1 },
    ],
  },
  {
    name: 'low-epsilon',
    description:
      'One domain whose loss sinks toward ε = 1.0 nat (code-like), below the reference fit bound ' +
      'e ≥ 0.5 (ε ≥ 1.65): its law is misfitted by the reference preset.',
    domains: [
      { name: 'code', epsilon: 1.0, beta: 25, alpha: 0.3, prior: 0.05 },
      { name: 'prose', epsilon: 2.6, beta: 20, alpha: 0.3, prior: 0.5 },
      { name: 'news', epsilon: 2.4, beta: 20, alpha: 0.3, prior: 0.3 },
      { name: 'forum', epsilon: 2.8, beta: 20, alpha: 0.3, prior: 0.15 },
    ],
  },
  {
    name: 'transfer',
    description:
      'Two near-duplicate domains that teach each other (transfer 0.8 both ways) and dominate the ' +
      'natural mix, and two independent ones: data of the pair is partly redundant.',
    domains: [
      { name: 'web-a', epsilon: 2.3, beta: 20, alpha: 0.3, prior: 0.45 },
      { name: 'web-b', epsilon: 2.3, beta: 20, alpha: 0.3, prior: 0.45 },
      { name: 'books', epsilon: 2.5, beta: 20, alpha: 0.3, prior: 0.05 },
      { name: 'math', epsilon: 1.4, beta: 15, alpha: 0.3, prior: 0.05 },
    ],
    transfer: [
      { from: 'web-a', to: 'web-b', weight: 0.8 },
      { from: 'web-b', to: 'web-a', weight: 0.8 },
    ],
  },
  {
    name: 'runs-out',
    description:
      'One valuable domain with a single epoch of data that the natural mix uses up halfway through ' +
      'the budget (after that it must get no weight; the policy is told with markExhausted), and a ' +
      'large boilerplate domain with little to learn.',
    domains: [
      { name: 'scarce', epsilon: 1.8, beta: 25, alpha: 0.35, prior: 0.25, size: 160_000, epochs: 1 },
      { name: 'prose', epsilon: 2.4, beta: 20, alpha: 0.3, prior: 0.2 },
      { name: 'code', epsilon: 1.6, beta: 18, alpha: 0.3, prior: 0.15 },
      { name: 'boilerplate', epsilon: 2.0, beta: 4, alpha: 0.3, prior: 0.4 },
    ],
  },
  {
    name: 'repeated',
    description:
      'A small curated domain upsampled in the natural mix (like the Pile\'s Wikipedia), which the ' +
      'budget repeats ~64 times: repeated data counts less (effective data of Muennighoff et al. 2023, R* = 15.4).',
    domains: [
      { name: 'curated', epsilon: 1.5, beta: 20, alpha: 0.35, prior: 0.4, size: 8_000 },
      { name: 'prose', epsilon: 2.4, beta: 20, alpha: 0.3, prior: 0.2 },
      { name: 'code', epsilon: 1.6, beta: 18, alpha: 0.3, prior: 0.2 },
      { name: 'forum', epsilon: 2.7, beta: 20, alpha: 0.3, prior: 0.2 },
    ],
  },
  {
    name: 'over-repeated',
    description:
      'A small, steep curated domain (4,000 examples, 0.3 of the natural mix) whose repeats lose their value fast ' +
      '(R* = 1 instead of 15.4: a small model memorises a small set; Hernandez et al. 2022 saw repeated data hurt): ' +
      'the budget would repeat it 96 times, ADO reading its still-falling curve about 22 times, the oracle about 6. ' +
      'A data budget (the domain\'s size, at most 4 or 8 epochs, the run\'s planned end) caps its share and spends ' +
      'the rest on fresh data (bench/quality-sim.ts, "budgets").',
    repeatDecay: 1,
    domains: [
      { name: 'curated', epsilon: 1.5, beta: 25, alpha: 0.4, prior: 0.3, size: 4_000 },
      { name: 'prose', epsilon: 2.4, beta: 20, alpha: 0.3, prior: 0.3 },
      { name: 'code', epsilon: 1.6, beta: 18, alpha: 0.3, prior: 0.2 },
      { name: 'forum', epsilon: 2.7, beta: 20, alpha: 0.3, prior: 0.2 },
    ],
  },
  {
    name: 'real-text',
    description:
      'Calibrated to real runs (src/sim/calibrate.ts): the char MLP\'s held-out curves under the natural and the ' +
      'balanced mixture on bench/quality-data-b.json (six kinds of text that npm packages ship), 1,500 steps × 32. ' +
      'A short budget whose natural mix starves four of six domains: ADO that starts from the prior and fits ' +
      'same-step counts ends worse than balanced here, as it did on the real corpora.',
    steps: 1500,
    batchSize: 32,
    // ε, β, α fitted per domain; the fitted transfer was 0 for every domain.
    domains: [
      { name: 'licences', epsilon: 0, beta: 48.53, alpha: 0.47, prior: 0.0562 },
      { name: 'changelogs', epsilon: 1.646, beta: 78.45, alpha: 0.67, prior: 0.0308 },
      { name: 'declarations', epsilon: 0.007, beta: 11.38, alpha: 0.19, prior: 0.3131 },
      { name: 'd3-code', epsilon: 0, beta: 10.28, alpha: 0.2, prior: 0.0216 },
      { name: 'code-tables', epsilon: 1.904, beta: 26.41, alpha: 0.45, prior: 0.0293 },
      { name: 'nouns', epsilon: 0.656, beta: 4.32, alpha: 0.15, prior: 0.549 },
    ],
  },
  {
    name: 'real-text-capacity',
    description:
      'real-text with what the real runs showed and the count-only curves lack: a small model\'s capacity follows ' +
      'the mixture. Cutting a domain\'s share raised its held-out loss 2–4× more than its curve in steps predicts ' +
      '(char MLP on bench/quality-data-b.json, ADO against balanced: declarations at 0.137 of the batches instead of ' +
      '0.167 lost 0.17 nats), while its same-step curve only flattens, so ADO reads a plateau and cuts it further. ' +
      'Capacity σ = 0.2 nats per e-fold of recent share (memory 200 steps) and per-example noise 0.6, as measured ' +
      'on those runs (0.35–1.1). Balanced is within 0.5 % of the oracle here; ADO on same-step slopes loses to it.',
    steps: 1500,
    batchSize: 32,
    noise: 0.6,
    capacityMemory: 200,
    domains: [
      { name: 'licences', epsilon: 0, beta: 48.53, alpha: 0.47, prior: 0.0562, capacity: 0.2 },
      { name: 'changelogs', epsilon: 1.646, beta: 78.45, alpha: 0.67, prior: 0.0308, capacity: 0.2 },
      { name: 'declarations', epsilon: 0.007, beta: 11.38, alpha: 0.19, prior: 0.3131, capacity: 0.2 },
      { name: 'd3-code', epsilon: 0, beta: 10.28, alpha: 0.2, prior: 0.0216, capacity: 0.2 },
      { name: 'code-tables', epsilon: 1.904, beta: 26.41, alpha: 0.45, prior: 0.0293, capacity: 0.2 },
      { name: 'nouns', epsilon: 0.656, beta: 4.32, alpha: 0.15, prior: 0.549, capacity: 0.2 },
    ],
  },
  {
    name: 'pile22',
    description:
      'Twenty-two domains shaped like the Pile (Gao et al. 2020): its component names and their ' +
      'shares of the training mix (Table 1, with epochs) as the natural prior; curves differ in ' +
      'irreducible loss, speed and scale.',
    batchSize: 128,
    domains: PILE_DOMAINS(),
  },
];

/**
 * The Pile's 22 components with their share of the training mix (Gao et al. 2020, "The Pile:
 * An 800GB Dataset of Diverse Text for Language Modeling", Table 1, percentage of the Pile
 * after epochs), and plausible true curves: code and mathematics compress well (low ε),
 * conversational and noisy web text less so; small curated sets learn fast.
 */
function PILE_DOMAINS(): ScenarioSpec['domains'] {
  //  name, share %, ε, β, α
  const rows: [string, number, number, number, number][] = [
    ['Pile-CC', 18.11, 2.5, 22, 0.28],
    ['PubMed Central', 14.4, 1.9, 20, 0.3],
    ['Books3', 12.07, 2.4, 20, 0.26],
    ['OpenWebText2', 10.01, 2.4, 22, 0.28],
    ['ArXiv', 8.96, 1.6, 20, 0.3],
    ['Github', 7.59, 0.9, 16, 0.28],
    ['FreeLaw', 6.12, 1.7, 20, 0.32],
    ['StackExchange', 5.13, 1.9, 20, 0.3],
    ['USPTO Backgrounds', 3.65, 2.0, 20, 0.32],
    ['PubMed Abstracts', 3.07, 2.1, 20, 0.32],
    ['Gutenberg (PG-19)', 2.17, 2.5, 20, 0.26],
    ['OpenSubtitles', 1.55, 2.6, 20, 0.3],
    ['Wikipedia (en)', 1.53, 2.0, 20, 0.3],
    ['DM Mathematics', 1.24, 1.0, 14, 0.4],
    ['Ubuntu IRC', 0.88, 2.2, 22, 0.3],
    ['BookCorpus2', 0.75, 2.5, 20, 0.28],
    ['EuroParl', 0.73, 1.4, 20, 0.35],
    ['HackerNews', 0.62, 2.5, 20, 0.3],
    ['YoutubeSubtitles', 0.6, 2.1, 20, 0.32],
    ['PhilPapers', 0.38, 2.3, 20, 0.3],
    ['NIH ExPorter', 0.3, 2.0, 20, 0.34],
    ['Enron Emails', 0.14, 2.0, 20, 0.34],
  ];
  return rows.map(([name, share, epsilon, beta, alpha]) => ({ name, prior: share / 100, epsilon, beta, alpha }));
}

const BUILT = new Map<string, Scenario>();

/** Names of the built-in scenarios, in suite order. */
export function scenarioNames(): string[] {
  return SPECS.map((s) => s.name);
}

/** A built-in scenario by name (a fresh copy); throws listing the names when unknown. */
export function getScenario(name: string): Scenario {
  let s = BUILT.get(name);
  if (!s) {
    const spec = SPECS.find((x) => x.name === name);
    if (!spec) throw new Error(`unknown scenario "${name}"; built-in scenarios: ${scenarioNames().join(', ')}`);
    s = parseScenarioSpec(spec, `scenario ${name}`);
    BUILT.set(name, s);
  }
  return structuredClone(s);
}

/** The JSON spec of a built-in scenario (a starting point for `--spec`). */
export function scenarioSpecOf(name: string): ScenarioSpec {
  const spec = SPECS.find((x) => x.name === name);
  if (!spec) throw new Error(`unknown scenario "${name}"; built-in scenarios: ${scenarioNames().join(', ')}`);
  return structuredClone(spec);
}
