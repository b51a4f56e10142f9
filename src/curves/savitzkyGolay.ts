/**
 * Savitzky–Golay smoothing: each point is replaced by the value at that point of the
 * least-squares polynomial of degree `order` fitted to the `window` points centred on it.
 * In the interior that is a fixed convolution; within half a window of either end the
 * polynomial fitted to the first (last) `window` points is evaluated there instead, as
 * scipy.signal.savgol_filter does in its default mode='interp'. Polynomials of degree
 * ≤ order are reproduced exactly everywhere.
 *
 * Short series use the largest odd window that fits (and exceeds `order`); below 5 points
 * (or when no such window exists) the series is returned unsmoothed.
 *
 * The weights are rows of the hat matrix Q·Qᵀ, Q an orthonormal basis (modified
 * Gram–Schmidt, twice) of the polynomials sampled on the window's points scaled to
 * [−1, 1], which keeps them accurate for any window.
 */

export interface SavitzkyGolayOptions {
  /** Window length, odd (default 101). */
  window?: number;
  /** Polynomial order, < window (default 3). */
  order?: number;
}

/** Precomputed weights of one (window, order). */
export interface SavitzkyGolayKernel {
  window: number;
  order: number;
  half: number;
  /** Hat matrix, row-major window × window: row i gives the fitted value at window position i. */
  hat: Float64Array;
}

const cache = new Map<string, SavitzkyGolayKernel>();

/** The (cached) kernel of a window and order. */
export function savitzkyGolayKernel(window: number, order: number): SavitzkyGolayKernel {
  const key = `${window}/${order}`;
  let k = cache.get(key);
  if (k === undefined) {
    k = buildKernel(window, order);
    if (cache.size > 64) cache.clear();
    cache.set(key, k);
  }
  return k;
}

/** Validated window and order from the options. */
export function savitzkyGolayOptions(options: SavitzkyGolayOptions = {}): { window: number; order: number } {
  const window = options.window ?? 101;
  const order = options.order ?? 3;
  if (!Number.isInteger(order) || order < 0) {
    throw new Error(`savitzkyGolay: order must be a non-negative integer, got ${order}`);
  }
  if (!Number.isInteger(window) || window < 1 || window % 2 === 0) {
    throw new Error(`savitzkyGolay: window must be a positive odd integer, got ${window}`);
  }
  if (window <= order) {
    throw new Error(`savitzkyGolay: window (${window}) must exceed order (${order})`);
  }
  return { window, order };
}

/**
 * The window used for a series of `length` points: the largest odd window ≤ length (and
 * ≤ the requested one) that exceeds `order`; 0 means "do not smooth".
 */
export function effectiveWindow(length: number, window: number, order: number): number {
  if (length < 5) return 0;
  let w = Math.min(window, length);
  if (w % 2 === 0) w--;
  return w > order ? w : 0;
}

/** Smooths y (all finite) and returns a new array. */
export function savitzkyGolay(y: ArrayLike<number>, options: SavitzkyGolayOptions = {}): Float64Array {
  const { window, order } = savitzkyGolayOptions(options);
  const N = y.length;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`savitzkyGolay: y[${i}] = ${String(v)} is not a finite number`);
    }
    out[i] = v;
  }
  const w = effectiveWindow(N, window, order);
  if (w === 0) return out;
  const kernel = savitzkyGolayKernel(w, order);
  const src = out.slice();
  for (let t = 0; t < N; t++) out[t] = smoothedAt(kernel, src, 0, N, t);
  return out;
}

/**
 * The smoothed value at index t of the series y[offset], …, y[offset + length − 1]
 * (length ≥ kernel.window), without smoothing the rest: lets a caller evaluate only the
 * points it keeps.
 */
export function smoothedAt(
  kernel: SavitzkyGolayKernel,
  y: ArrayLike<number>,
  offset: number,
  length: number,
  t: number,
): number {
  return smoothedAtColumn(kernel, y, offset, 1, 0, length, t);
}

/**
 * smoothedAt on column `column` of a row-major table with `stride` columns: the series is
 * y[(offset + i)·stride + column] (smoothedAt: stride 1, column 0). The kernel row of t's
 * window times the window's values, summed in order.
 */
export function smoothedAtColumn(
  kernel: SavitzkyGolayKernel,
  y: ArrayLike<number>,
  offset: number,
  stride: number,
  column: number,
  length: number,
  t: number,
): number {
  const { window: W, half, hat } = kernel;
  let row: number;
  let start: number;
  if (t < half) {
    row = t;
    start = 0;
  } else if (t >= length - half) {
    row = t - (length - W);
    start = length - W;
  } else {
    row = half;
    start = t - half;
  }
  const base = row * W;
  let at = (offset + start) * stride + column;
  let s = 0;
  for (let k = 0; k < W; k++, at += stride) s += hat[base + k] * y[at];
  return s;
}

function buildKernel(W: number, order: number): SavitzkyGolayKernel {
  const half = (W - 1) / 2;
  const P = order + 1;
  // Columns t^j on t ∈ [−1, 1], orthonormalised (modified Gram–Schmidt, two passes).
  const q: Float64Array[] = [];
  for (let j = 0; j < P; j++) {
    const col = new Float64Array(W);
    for (let k = 0; k < W; k++) {
      const t = half === 0 ? 0 : (k - half) / half;
      col[k] = t ** j;
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const b of q) {
        let dot = 0;
        for (let k = 0; k < W; k++) dot += b[k] * col[k];
        for (let k = 0; k < W; k++) col[k] -= dot * b[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < W; k++) norm += col[k] * col[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < W; k++) col[k] /= norm;
    q.push(col);
  }
  const hat = new Float64Array(W * W);
  for (let i = 0; i < W; i++) {
    for (let k = 0; k < W; k++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += q[j][i] * q[j][k];
      hat[i * W + k] = s;
    }
  }
  return { window: W, order, half, hat };
}
