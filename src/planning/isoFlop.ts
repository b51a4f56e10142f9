/**
 * The IsoFLOP method (Hoffmann et al. 2022, Approach 2; used per skill by Roberts et al.
 * 2025, "Compute Optimal Scaling of Skills", arXiv 2503.10061).
 *
 * Runs of equal training compute C = 6·N·D (within a relative tolerance) form a group. In
 * each group a parabola  loss ≈ c0 + c1·x + c2·x²,  x = log N − x̄,  is fitted by least
 * squares; its vertex x* = −c1/(2·c2) (a minimum when c2 > 0) is that budget's
 * compute-optimal N* = exp(x̄ + x*), and D* = C/(6·N*). A power law across budgets,
 * log N* = log k + a·log C (least squares), gives the frontier N*(C) = k·C^a, and
 * D*(C) = C^(1−a)/(6k).
 */
import type { ScalingRun } from './scalingRun.js';

export type IsoFlopStatus = 'ok' | 'too-few-sizes' | 'not-convex' | 'extrapolated';

export interface IsoFlopGroup {
  /** Geometric mean of 6·N·D over the group's runs. */
  compute: number;
  /** Runs in the group. */
  runs: number;
  /** Distinct model sizes in the group. */
  sizes: number;
  /** loss ≈ c0 + c1·x + c2·x², x = log N − centre; null with fewer than 3 sizes. */
  parabola: { c0: number; c1: number; c2: number; centre: number } | null;
  /** The vertex: compute-optimal N, D and the parabola's loss there (NaN unless ok/extrapolated). */
  N: number;
  D: number;
  loss: number;
  /** 'ok': a minimum inside the group's N range; 'extrapolated': a minimum outside it. */
  status: IsoFlopStatus;
}

/** N*(C) = coefficient·C^exponent over the groups with status 'ok'. */
export interface IsoFlopFrontier {
  coefficient: number;
  exponent: number;
  /** Groups used. */
  groups: number;
}

export interface IsoFlopAnalysis {
  groups: IsoFlopGroup[];
  /** Null with fewer than two 'ok' groups at distinct budgets. */
  frontier: IsoFlopFrontier | null;
}

export interface IsoFlopOptions {
  /** Runs whose 6ND agree within this relative tolerance share a group. Default 0.05. */
  tolerance?: number;
}

/** Groups runs by C = 6ND: sorted by compute, a group spans at most a factor (1 + tolerance). */
export function groupIsoFlop<T extends ScalingRun>(runs: readonly T[], tolerance = 0.05): T[][] {
  if (!(tolerance >= 0)) throw new Error(`IsoFLOP tolerance must be non-negative, got ${tolerance}`);
  const logC = (r: ScalingRun): number => Math.log(6 * r.N * r.D);
  const sorted = [...runs].sort((p, q) => logC(p) - logC(q));
  const groups: T[][] = [];
  const span = Math.log1p(tolerance);
  let first = -Infinity;
  for (const r of sorted) {
    if (groups.length === 0 || logC(r) - first > span) {
      groups.push([r]);
      first = logC(r);
    } else groups[groups.length - 1].push(r);
  }
  return groups;
}

/** Least-squares parabola through (x_i, y_i): returns [c0, c1, c2] or null if singular. */
function fitParabola(x: number[], y: number[]): [number, number, number] | null {
  // Normal equations of [1, x, x²].
  const S = new Array<number>(5).fill(0);
  const T = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    let p = 1;
    for (let k = 0; k < 5; k++) {
      S[k] += p;
      if (k < 3) T[k] += p * y[i];
      p *= x[i];
    }
  }
  const M = [
    [S[0], S[1], S[2], T[0]],
    [S[1], S[2], S[3], T[1]],
    [S[2], S[3], S[4], T[2]],
  ];
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (Math.abs(M[piv][c]) < 1e-300) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k < 4; k++) M[r][k] -= f * M[c][k];
    }
  }
  const out: [number, number, number] = [M[0][3] / M[0][0], M[1][3] / M[1][1], M[2][3] / M[2][2]];
  return out.every(Number.isFinite) ? out : null;
}

function analyseGroup(runs: readonly ScalingRun[]): IsoFlopGroup {
  const compute = Math.exp(runs.reduce((s, r) => s + Math.log(6 * r.N * r.D), 0) / runs.length);
  const sizes = new Set(runs.map((r) => r.N)).size;
  const base = { compute, runs: runs.length, sizes, N: NaN, D: NaN, loss: NaN };
  if (sizes < 3) return { ...base, parabola: null, status: 'too-few-sizes' };
  const lx = runs.map((r) => Math.log(r.N));
  const centre = lx.reduce((s, v) => s + v, 0) / lx.length;
  const x = lx.map((v) => v - centre);
  const c = fitParabola(x, runs.map((r) => r.loss));
  if (!c) return { ...base, parabola: null, status: 'too-few-sizes' };
  const [c0, c1, c2] = c;
  const parabola = { c0, c1, c2, centre };
  if (!(c2 > 0)) return { ...base, parabola, status: 'not-convex' };
  const xs = -c1 / (2 * c2);
  const N = Math.exp(centre + xs);
  const inside = xs >= Math.min(...x) && xs <= Math.max(...x);
  return { ...base, parabola, N, D: compute / (6 * N), loss: c0 + c1 * xs + c2 * xs * xs, status: inside ? 'ok' : 'extrapolated' };
}

/** IsoFLOP parabolas per compute group and the power-law frontier across groups. */
export function isoFlopAnalysis(runs: readonly ScalingRun[], options: IsoFlopOptions = {}): IsoFlopAnalysis {
  const groups = groupIsoFlop(runs, options.tolerance ?? 0.05).map(analyseGroup);
  const ok = groups.filter((g) => g.status === 'ok');
  let frontier: IsoFlopFrontier | null = null;
  if (ok.length >= 2) {
    const lc = ok.map((g) => Math.log(g.compute));
    const ln = ok.map((g) => Math.log(g.N));
    const mc = lc.reduce((s, v) => s + v, 0) / lc.length;
    const mn = ln.reduce((s, v) => s + v, 0) / ln.length;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < lc.length; i++) {
      sxy += (lc[i] - mc) * (ln[i] - mn);
      sxx += (lc[i] - mc) ** 2;
    }
    if (sxx > 0) {
      const exponent = sxy / sxx;
      frontier = { coefficient: Math.exp(mn - exponent * mc), exponent, groups: ok.length };
    }
  }
  return { groups, frontier };
}
