/**
 * Data budgets: how much of each domain a run may still draw, and the mixture that respects
 * it (issue 16, "Data budgets and repetition"). Pure math over typed arrays; nothing here
 * allocates per step.
 *
 * Per domain k: a budget b_k (unique examples or tokens, in the unit of the counts the policy
 * observes; Infinity: unlimited) and a maximum number of epochs E_k (default 1). After step t,
 * with c_k the domain's own cumulative count (the policy's nOwn), T the planned number of
 * steps (steps 0 … T − 1) and B the batch (the mean Σ_k count per step so far):
 *
 *   allowance   A_k = b_k·E_k                       (what the run may ever draw)
 *   remaining   r_k = A_k − c_k
 *   steps left  S   = T − (t + 1)                   (steps t + 1 … T − 1 are still to be drawn)
 *   cap         κ_k = clamp(r_k / (S·B), 0, 1)      (the largest share that lasts until T)
 *
 * A mixture π respects the caps when π_k ≤ κ_k for every live k: a share held at κ_k for the
 * S remaining steps draws exactly r_k. `capShares` projects π onto them by water-filling:
 * every domain above its cap is pinned at it and the excess goes to the free (unpinned) live
 * domains in proportion to their shares, repeated until no free domain exceeds its cap (at
 * most K rounds; the free domains keep their ratios, as an exhausted domain's share is
 * redistributed today). When no cap binds π is returned untouched, bit for bit.
 *
 * Infeasible (Σ_live κ_k < 1): no mixture lasts until T without some domain repeating more
 * than allowed. Then π_k = κ_k / Σ κ: every domain overshoots its allowance by the same
 * factor 1/Σκ, which is the mixture that postpones the first run-out longest (all allowances
 * run out together, after S·Σκ steps, instead of the cheapest domain first). `capShares`
 * says so (`feasible: false`), and a domain whose allowance reaches 0 is marked exhausted by
 * the policy, as a domain whose data ran out always was.
 *
 * Forecast: at a constant share π_k the remaining r_k lasts r_k/(π_k·B) steps, so domain k
 * runs out during step t + ⌈r_k/(π_k·B)⌉ (Infinity for π_k = 0 or no budget).
 */

/** The JSON form of a budget in a snapshot (Infinity is written as null). */
export interface BudgetJson {
  /** b_k per domain; null: unlimited. */
  budget: (number | null)[];
  maxEpochs: number[];
  /** T, the planned number of steps; null: no planned end (only exhaustion, no caps). */
  plannedSteps: number | null;
  /** Steps observed and their total count (the batch B is total/steps). */
  steps: number;
  total: number;
}

/** The options a policy takes to set up a budget. */
export interface BudgetOptions {
  /** b_k per domain, in the unit of the observed counts (examples or tokens); Infinity (or null): unlimited. */
  budget?: ArrayLike<number | null>;
  /** E_k: one number for every domain or one per domain (default 1). */
  maxEpochs?: number | ArrayLike<number>;
  /** T: the run's planned number of steps (steps 0 … T − 1); without it only exhaustion applies. */
  plannedSteps?: number;
}

/** What the last cap did (for logs and status). */
export interface BudgetStatus {
  /** Σ_live κ_k ≥ 1: the caps can all hold. */
  feasible: boolean;
  /** Domains whose share was cut to their cap. */
  capped: number;
}

/**
 * κ_k = clamp(r_k/(S·B), 0, 1) over the live domains into `out` (0 on exhausted ones, 1 where
 * unlimited or where S·B ≤ 0: nothing left to plan); returns Σ_live κ.
 */
export function budgetCaps(
  allowance: ArrayLike<number>,
  consumed: ArrayLike<number>,
  live: ArrayLike<boolean>,
  stepsLeft: number,
  batch: number,
  out: Float64Array,
): number {
  const K = out.length;
  const horizon = stepsLeft * batch;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    if (!live[k]) {
      out[k] = 0;
      continue;
    }
    const a = allowance[k];
    if (a === Infinity || !(horizon > 0)) out[k] = 1;
    else {
      const c = (a - consumed[k]) / horizon;
      out[k] = c > 1 ? 1 : c > 0 ? c : 0;
    }
    sum += out[k];
  }
  return sum;
}

/**
 * Projects the share vector `v` (sums to 1 over the live domains) onto the caps κ in place
 * (the file comment: water-filling when Σκ ≥ 1, κ/Σκ when not; untouched when no cap binds).
 * `pinned` is scratch of length ≥ K. Returns how many domains were cut, −1 when infeasible.
 */
export function capShares(v: Float64Array, cap: ArrayLike<number>, live: ArrayLike<boolean>, pinned: Uint8Array): number {
  const K = v.length;
  let binds = false;
  let capSum = 0;
  for (let k = 0; k < K; k++) {
    if (!live[k]) continue;
    capSum += cap[k];
    if (v[k] > cap[k]) binds = true;
  }
  if (!binds) return 0;
  if (capSum < 1) {
    if (!(capSum > 0)) return -1; // every allowance is spent: nothing to steer (the policy exhausts them)
    for (let k = 0; k < K; k++) v[k] = live[k] ? cap[k] / capSum : 0;
    return -1;
  }
  pinned.fill(0, 0, K);
  let nPinned = 0;
  for (let round = 0; round < K; round++) {
    // Free mass and the room the pinned caps leave it.
    let free = 0;
    let freeCap = 0;
    let room = 1;
    for (let k = 0; k < K; k++) {
      if (!live[k]) continue;
      if (pinned[k]) room -= cap[k];
      else {
        free += v[k];
        freeCap += cap[k];
      }
    }
    let changed = false;
    for (let k = 0; k < K; k++) {
      if (!live[k] || pinned[k]) continue;
      if (scaledShare(v[k], cap[k], free, freeCap, room) > cap[k]) {
        pinned[k] = 1;
        nPinned++;
        changed = true;
      }
    }
    if (!changed) {
      for (let k = 0; k < K; k++) {
        if (!live[k]) v[k] = 0;
        else if (pinned[k]) v[k] = cap[k];
        else v[k] = Math.min(cap[k], scaledShare(v[k], cap[k], free, freeCap, room));
      }
      return nPinned;
    }
  }
  return nPinned; // not reached: each round pins at least one more domain
}

/**
 * A free domain's share of the room: in proportion to its share (v·room/free), or, when the
 * free domains hold no mass at all, to its cap (κ·room/Σκ_free ≤ κ since room ≤ Σκ_free).
 */
function scaledShare(v: number, cap: number, free: number, freeCap: number, room: number): number {
  if (free > 0) return (v * room) / free;
  return freeCap > 0 ? (cap * room) / freeCap : 0;
}

/** The step during which a domain with `remaining` allowance runs out at share `share` of batch B after step t: t + ⌈r/(π·B)⌉. */
export function runOutStep(t: number, remaining: number, share: number, batch: number): number {
  if (remaining <= 0) return t;
  if (remaining === Infinity || !(share > 0) || !(batch > 0)) return Infinity;
  return t + Math.ceil(remaining / (share * batch));
}

/**
 * A policy's budget state: the allowances b_k·E_k, the planned end and the batch mean, with
 * the scratch the caps need. `observe` after every step, `spent` to find domains to exhaust,
 * `apply` to cap the mixture; all O(K) and allocation-free.
 */
export class DataBudget {
  readonly allowance: Float64Array;
  readonly budget: Float64Array;
  readonly maxEpochs: Float64Array;
  readonly plannedSteps: number | undefined;
  private steps = 0;
  private total = 0;
  private cap: Float64Array;
  private pinned: Uint8Array;
  private last: BudgetStatus = { feasible: true, capped: 0 };

  private constructor(budget: Float64Array, maxEpochs: Float64Array, plannedSteps: number | undefined) {
    this.budget = budget;
    this.maxEpochs = maxEpochs;
    this.plannedSteps = plannedSteps;
    this.allowance = Float64Array.from(budget, (b, k) => b * maxEpochs[k]);
    this.cap = new Float64Array(budget.length);
    this.pinned = new Uint8Array(budget.length);
  }

  /**
   * From a policy's options (checked, each error naming the field and the domain), or
   * undefined when none of them is given (no budget: the weights are untouched).
   */
  static fromOptions(o: BudgetOptions, domains: readonly string[], where: string): DataBudget | undefined {
    if (o.budget === undefined && o.maxEpochs === undefined && o.plannedSteps === undefined) return undefined;
    const K = domains.length;
    const budget = new Float64Array(K).fill(Infinity);
    if (o.budget !== undefined) {
      const b = o.budget;
      if (b === null || typeof b !== 'object' || typeof b.length !== 'number') throw new Error(`${where}: budget must be an array of ${K} numbers (one per domain)`);
      if (b.length !== K) throw new Error(`${where}: budget has ${b.length} entries, expected ${K} (one per domain)`);
      for (let k = 0; k < K; k++) {
        const x = b[k];
        if (x === null || x === Infinity) continue;
        if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x)) {
          throw new Error(`${where}: budget of domain "${domains[k]}" (#${k}) must be a number ≥ 0 (or null/Infinity: unlimited), got ${String(x)}`);
        }
        budget[k] = x;
      }
    }
    const epochs = new Float64Array(K).fill(1);
    const e = o.maxEpochs;
    if (typeof e === 'number') {
      if (!(e > 0)) throw new Error(`${where}: maxEpochs must be a number > 0, got ${String(e)}`);
      epochs.fill(e);
    } else if (e !== undefined) {
      if (e === null || typeof e !== 'object' || typeof e.length !== 'number') throw new Error(`${where}: maxEpochs must be a number > 0 or an array of ${K} (one per domain)`);
      if (e.length !== K) throw new Error(`${where}: maxEpochs has ${e.length} entries, expected ${K} (one per domain)`);
      for (let k = 0; k < K; k++) {
        if (typeof e[k] !== 'number' || !(e[k] > 0)) throw new Error(`${where}: maxEpochs of domain "${domains[k]}" (#${k}) must be a number > 0, got ${String(e[k])}`);
        epochs[k] = e[k];
      }
    }
    const T = o.plannedSteps;
    if (T !== undefined && !(Number.isSafeInteger(T) && T >= 1)) throw new Error(`${where}: plannedSteps must be an integer ≥ 1, got ${String(T)}`);
    return new DataBudget(budget, epochs, T);
  }

  /** Restores `toJSON()` for K domains (checked: `where` names the snapshot). */
  static fromJSON(j: BudgetJson, domains: readonly string[], where: string): DataBudget {
    const K = domains.length;
    const d = DataBudget.fromOptions(
      { budget: j.budget, maxEpochs: j.maxEpochs, plannedSteps: j.plannedSteps ?? undefined },
      domains,
      `${where}: field "budget"`,
    )!;
    if (!(Number.isSafeInteger(j.steps) && j.steps >= 0)) throw new Error(`${where}: field "budget.steps" must be an integer ≥ 0, got ${String(j.steps)}`);
    if (!(Number.isFinite(j.total) && j.total >= 0)) throw new Error(`${where}: field "budget.total" must be a finite number ≥ 0, got ${String(j.total)}`);
    if (j.steps === 0 && j.total !== 0) throw new Error(`${where}: field "budget.total" must be 0 when budget.steps is 0, got ${j.total}`);
    if (K !== d.budget.length) throw new Error(`${where}: field "budget" must have ${K} entries`);
    d.steps = j.steps;
    d.total = j.total;
    return d;
  }

  toJSON(): BudgetJson {
    return {
      budget: Array.from(this.budget, (b) => (b === Infinity ? null : b)),
      maxEpochs: Array.from(this.maxEpochs),
      plannedSteps: this.plannedSteps ?? null,
      steps: this.steps,
      total: this.total,
    };
  }

  /** A domain added mid-run: unlimited unless a budget is given. Allocates (not per step). */
  withDomain(budget = Infinity, maxEpochs = 1): DataBudget {
    const b = new Float64Array(this.budget.length + 1);
    b.set(this.budget);
    b[this.budget.length] = budget;
    const e = new Float64Array(this.maxEpochs.length + 1);
    e.set(this.maxEpochs);
    e[this.maxEpochs.length] = maxEpochs;
    const d = new DataBudget(b, e, this.plannedSteps);
    d.steps = this.steps;
    d.total = this.total;
    return d;
  }

  /** Counts one step whose counts sum to `stepTotal` into the batch mean B. */
  observe(stepTotal: number): void {
    this.steps++;
    this.total += stepTotal;
  }

  /** B: the mean Σ count per step so far (0 before the first step). */
  get batch(): number {
    return this.steps > 0 ? this.total / this.steps : 0;
  }

  /** r_k = b_k·E_k − c_k. */
  remaining(k: number, consumed: ArrayLike<number>): number {
    return this.allowance[k] - consumed[k];
  }

  /** A live domain whose allowance is spent (r_k ≤ 0), or −1: the policy exhausts it. */
  spent(consumed: ArrayLike<number>, live: ArrayLike<boolean>, from = 0): number {
    for (let k = from; k < this.allowance.length; k++) if (live[k] && this.allowance[k] - consumed[k] <= 0) return k;
    return -1;
  }

  /** Caps the mixture `w` for step t + 1 in place (needs plannedSteps and one observed step; else a no-op). */
  apply(t: number, consumed: ArrayLike<number>, live: ArrayLike<boolean>, w: Float64Array): BudgetStatus {
    const T = this.plannedSteps;
    const B = this.batch;
    const S = T === undefined ? 0 : T - (t + 1);
    if (!(S > 0) || !(B > 0)) {
      this.last.feasible = true;
      this.last.capped = 0;
      return this.last;
    }
    budgetCaps(this.allowance, consumed, live, S, B, this.cap);
    const cut = capShares(w, this.cap, live, this.pinned);
    this.last.feasible = cut >= 0;
    this.last.capped = cut >= 0 ? cut : 0;
    return this.last;
  }

  /** What the last `apply` did. */
  get status(): Readonly<BudgetStatus> {
    return this.last;
  }

  /** Per domain, the step during which it runs out at share w after step t (Infinity: never); allocates, for reports. */
  forecast(t: number, consumed: ArrayLike<number>, w: ArrayLike<number>): number[] {
    const B = this.batch;
    return Array.from(this.allowance, (_, k) => runOutStep(t, this.remaining(k, consumed), w[k], B));
  }
}
