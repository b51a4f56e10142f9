/** What every writer says about the run and its stages (as comment text). */
import type { PlannedStage, SchedulePlan } from '../plan.js';

/** 4 significant digits, without a trailing exponent for ordinary sizes. */
export function shortNumber(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

/** Where the weights came from, in words. */
export function sourceWords(plan: SchedulePlan): string {
  return plan.source === 'log' ? 'the weights the step log records' : `the weights a replay through ${plan.policy} gives (the log records none)`;
}

/** The lines that open every file: the run, the objective, the distance. */
export function runLines(plan: SchedulePlan, engine: string): string[] {
  const n = plan.stages.length;
  return [
    `adomix schedule export: ${n} stage${n === 1 ? '' : 's'} for ${engine}`,
    `run: ${plan.steplog}, ${plan.steps} steps (${plan.firstStep}–${plan.lastStep}), ${sourceWords(plan)}`,
    `stages: the ${n} closest to the run's mixture w(t) (least Σ_t ‖w(t) − w_stage(t)‖², each stage the mean of its steps);`,
    `RMS distance to it ${shortNumber(plan.rms)}; weights with ${plan.decimals} decimals, summing to 1`,
  ];
}

/** "stage 2 of 3: log steps 500–999, 500 steps, 16000 examples (33.3 % of the run)". */
export function stageWords(plan: SchedulePlan, s: PlannedStage): string {
  const share = ((100 * s.steps) / plan.steps).toFixed(1);
  return `stage ${s.stage} of ${plan.stages.length}: log steps ${s.startStep}–${s.endStep}, ${s.steps} steps, ${s.amount} ${plan.unit} (${share} % of the run)`;
}

/** The domains without a path: the ones a writer fills with a placeholder. */
export function missingPaths(plan: SchedulePlan): string[] {
  return plan.domains.filter((_, k) => plan.paths[k] === null);
}

/** Lines as `#` comments. */
export function comments(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n') + '\n';
}
