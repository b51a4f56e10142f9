/**
 * Validation of one step's statistics before any policy state is touched.
 *
 * Every policy calls `validateObservation` first thing in observe(), so a rejected step
 * leaves the policy exactly as it was. Rules:
 * - `step` is an integer ≥ 0 and, after the first observed step, exactly the previous + 1;
 * - `loss`, `count` (and `evalLoss` when given) have one entry per domain;
 * - counts are finite, non-negative integers and at least one is positive;
 * - where count > 0 the loss is finite and ≥ 0; where count = 0 the loss is ignored
 *   (NaN marks an absent domain) but must not be ±Infinity or negative;
 * - evalLoss entries are NaN (not evaluated) or finite and ≥ 0.
 */
import type { StepObservation } from './policy.js';

/** Throws an Error naming the step, the field, the domain and the value. */
export function validateObservation(
  obs: StepObservation,
  domains: readonly string[],
  lastStep: number,
): void {
  if (obs === null || typeof obs !== 'object') {
    throw new Error(`observe(): expected an object {step, loss, count}, got ${String(obs)}`);
  }
  const { step } = obs;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw new Error(`observe(): step must be a non-negative integer, got ${String(step)}`);
  }
  if (lastStep >= 0 && step !== lastStep + 1) {
    throw new Error(
      `observe(): step ${step} does not follow the last observed step ${lastStep} (expected step ${lastStep + 1})`,
    );
  }
  const K = domains.length;
  checkLength(obs.loss, 'loss', step, K);
  checkLength(obs.count, 'count', step, K);
  if (obs.evalLoss !== undefined) checkLength(obs.evalLoss, 'evalLoss', step, K);

  let total = 0;
  for (let k = 0; k < K; k++) {
    const c = obs.count[k];
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || !Number.isInteger(c)) {
      throw new Error(
        `observe(): step ${step}, domain "${domains[k]}" (#${k}): count must be a non-negative integer, got ${String(c)}`,
      );
    }
    total += c;
    const l = obs.loss[k];
    if (typeof l !== 'number') {
      throw new Error(
        `observe(): step ${step}, domain "${domains[k]}" (#${k}): loss must be a number, got ${String(l)}`,
      );
    }
    if (c > 0) {
      if (!Number.isFinite(l) || l < 0) {
        throw new Error(
          `observe(): step ${step}, domain "${domains[k]}" (#${k}): loss must be finite and ≥ 0 where count > 0 (count ${c}), got ${String(l)}`,
        );
      }
    } else if (l === Infinity || l === -Infinity || l < 0) {
      throw new Error(
        `observe(): step ${step}, domain "${domains[k]}" (#${k}): loss must be NaN (absent) or finite and ≥ 0, got ${String(l)}`,
      );
    }
    if (obs.evalLoss !== undefined) {
      const v = obs.evalLoss[k];
      if (typeof v !== 'number' || v === Infinity || v === -Infinity || v < 0) {
        throw new Error(
          `observe(): step ${step}, domain "${domains[k]}" (#${k}): evalLoss must be NaN or finite and ≥ 0, got ${String(v)}`,
        );
      }
    }
  }
  if (total <= 0) {
    throw new Error(`observe(): step ${step}: counts are all 0; a step must hold at least one example`);
  }
}

function checkLength(v: ArrayLike<number> | undefined, field: string, step: number, K: number): void {
  if (v === null || v === undefined || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new Error(`observe(): step ${step}: ${field} must be an array of ${K} numbers, got ${String(v)}`);
  }
  if (v.length !== K) {
    throw new Error(
      `observe(): step ${step}: ${field} has ${v.length} entries, expected ${K} (one per domain)`,
    );
  }
}
