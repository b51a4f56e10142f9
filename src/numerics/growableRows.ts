/**
 * Rows of `width` numbers appended one at a time into one Float64Array that doubles when
 * full, for series whose length is known only at the end (a log read line by line). Amortised
 * O(1) per row, no allocation per row; `values()` gives the rows appended, trimmed to size.
 */
export class GrowableRows {
  private data: Float64Array;
  /** Rows appended so far. */
  rows = 0;

  constructor(
    readonly width: number,
    initialRows = 256,
  ) {
    this.data = new Float64Array(width * Math.max(1, initialRows));
  }

  /** Appends one row (its first `width` values). */
  push(values: ArrayLike<number>): void {
    const at = this.reserve();
    for (let i = 0; i < this.width; i++) this.data[at + i] = values[i];
  }

  /** Appends a one-number row (width 1). */
  pushValue(x: number): void {
    const at = this.reserve(); // before reading this.data: reserving may replace it
    this.data[at] = x;
  }

  /** Entry `column` of row `row` (row < rows). */
  at(row: number, column = 0): number {
    return this.data[row * this.width + column];
  }

  /** Sets entry `column` of row `row` (row < rows), e.g. to merge a later value into a row. */
  set(row: number, column: number, value: number): void {
    this.data[row * this.width + column] = value;
  }

  /** The rows appended, row-major, trimmed to size (a copy). */
  values(): Float64Array {
    return this.data.slice(0, this.rows * this.width);
  }

  /** Room for one more row; returns its offset. */
  private reserve(): number {
    if ((this.rows + 1) * this.width > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    return this.rows++ * this.width;
  }
}
