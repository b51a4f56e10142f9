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

/**
 * Throws an Error naming the step, the field, the domain and the value.
 *
 * Runs every step: one tight loop decides whether the step is valid, and only a step it
 * rejects goes through `explainRejection`, which checks the rules in order and throws the
 * first one broken (it accepts exactly what the fast check accepts).
 */
export function validateObservation(
  obs: StepObservation,
  domains: readonly string[],
  lastStep: number,
): void {
  if (obs !== null && typeof obs === 'object') {
    const { step, loss, count, evalLoss } = obs;
    const K = domains.length;
    if (
      Number.isInteger(step) &&
      step >= 0 &&
      (lastStep < 0 || step === lastStep + 1) &&
      isVector(loss, K) &&
      isVector(count, K) &&
      (evalLoss === undefined || isVector(evalLoss, K))
    ) {
      let total = 0;
      let k = 0;
      for (; k < K; k++) {
        const c = count[k];
        const l = loss[k];
        // count: a finite integer ≥ 0; loss: finite ≥ 0 where c > 0, else NaN or finite ≥ 0.
        if (!(typeof c === 'number' && c >= 0 && c < Infinity && Math.floor(c) === c && typeof l === 'number')) break;
        if (c > 0 ? !(l >= 0 && l < Infinity) : l < 0 || l === Infinity) break;
        total += c;
      }
      if (k === K && evalLoss !== undefined) {
        for (let j = 0; j < K; j++) {
          const v = evalLoss[j];
          if (typeof v !== 'number' || v < 0 || v === Infinity) {
            k = -1;
            break;
          }
        }
      }
      if (k === K && total > 0) return;
    }
  }
  explainRejection(obs, domains, lastStep);
}

function isVector(v: ArrayLike<number> | undefined, K: number): boolean {
  return v !== null && v !== undefined && typeof v === 'object' && v.length === K;
}

/** The rules one by one, throwing on the first broken (the slow path of a rejected step). */
function explainRejection(
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
