/**
 * One training run of a scaling study: N parameters trained on D tokens reached `loss`.
 * `skill` names the validation set the loss was measured on (Roberts et al. 2025);
 * absent for a single aggregate loss.
 */
export interface ScalingRun {
  N: number;
  D: number;
  loss: number;
  skill?: string;
}

/** Throws on the first run whose N, D or loss is not a positive finite number. */
export function validateRuns(runs: readonly ScalingRun[], minRuns: number, what: string): void {
  if (runs.length < minRuns) throw new Error(`${what} needs at least ${minRuns} runs, got ${runs.length}`);
  runs.forEach((r, i) => {
    for (const k of ['N', 'D', 'loss'] as const) {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        throw new Error(`${what}: run ${i}: ${k} must be a positive number, got ${String(v)}`);
      }
    }
  });
}
