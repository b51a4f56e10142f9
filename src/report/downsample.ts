/**
 * Downsampling for charts: a long run becomes at most `maxPoints` bins of consecutive rows,
 * each drawn at its last step with the mean of the values in it (NaN values skipped), so
 * a 100,000-step run gives a chart of the same size as a 300-step one.
 */

export interface Bins {
  /** Row index where each bin starts; bin b is rows [start[b], start[b+1]). */
  start: Int32Array;
  /** Number of bins. */
  count: number;
}

/** Splits `rows` rows into at most `maxPoints` bins of (nearly) equal size. */
export function makeBins(rows: number, maxPoints: number): Bins {
  const count = Math.max(1, Math.min(rows, Math.floor(maxPoints)));
  const start = new Int32Array(count + 1);
  for (let b = 0; b <= count; b++) start[b] = Math.round((b * rows) / count);
  return { start, count };
}

/** Mean of the finite values of `v` in each bin (NaN for a bin with none). */
export function binMeans(v: ArrayLike<number>, bins: Bins): Float64Array {
  const out = new Float64Array(bins.count);
  for (let b = 0; b < bins.count; b++) {
    let s = 0;
    let n = 0;
    for (let i = bins.start[b]; i < bins.start[b + 1]; i++) {
      const x = v[i];
      if (Number.isFinite(x)) {
        s += x;
        n++;
      }
    }
    out[b] = n > 0 ? s / n : NaN;
  }
  return out;
}

/** The last row of each bin (where the bin is drawn). */
export function binLastRow(bins: Bins): Int32Array {
  const out = new Int32Array(bins.count);
  for (let b = 0; b < bins.count; b++) out[b] = bins.start[b + 1] - 1;
  return out;
}

/** Indices of the rows where `has(i)` holds, thinned evenly to at most `maxPoints` (keeps the last). */
export function thinRows(rows: number, has: (i: number) => boolean, maxPoints: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < rows; i++) if (has(i)) idx.push(i);
  if (idx.length <= maxPoints) return idx;
  const out: number[] = [];
  for (let j = 0; j < maxPoints; j++) out.push(idx[Math.round((j * (idx.length - 1)) / (maxPoints - 1))]);
  return out;
}
