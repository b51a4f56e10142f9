/**
 * Vega-Lite specifications of the report's charts, with their data inlined (downsampled,
 * see downsample.ts). Each builder returns null when the run has nothing to draw.
 */
import type { TopLevelSpec } from 'vega-lite';
import { powerLawValue } from '../curves/index.js';
import { binLastRow, binMeans, makeBins, thinRows } from './downsample.js';
import { domainColors } from './palette.js';
import { lawCount, type RunData } from './runData.js';

export interface ChartOptions {
  /** Most points per series (default 300). */
  maxPoints?: number;
  /** Plot width in pixels (default 860). */
  width?: number;
}

export interface ChartSpec {
  /** File-safe name (`weights`, `losses`, `eval-losses`). */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const round = (x: number, digits = 6): number => Number(x.toPrecision(digits));

function colorScale(domains: string[]): { domain: string[]; range: string[] } {
  return { domain: domains, range: domainColors(domains.length) };
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 180 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/** Weights over time, stacked to 1 (the mixture each step was drawn with). */
export function weightsChart(data: RunData, options: ChartOptions = {}): ChartSpec | null {
  if (!data.hasWeights) return null;
  const R = data.steps.length;
  const bins = makeBins(R, options.maxPoints ?? 300);
  const last = binLastRow(bins);
  const values: { step: number; domain: string; weight: number }[] = [];
  data.domains.forEach((domain, k) => {
    const m = binMeans(data.weights[k], bins);
    for (let b = 0; b < bins.count; b++) {
      if (Number.isFinite(m[b])) values.push({ step: data.steps[last[b]], domain, weight: round(m[b]) });
    }
  });
  return {
    name: 'weights',
    title: 'Mixture weights over time',
    spec: {
      title: { text: 'Mixture weights over time', subtitle: binNote(R, bins.count) },
      width: options.width ?? 860,
      height: 300,
      data: { values },
      mark: { type: 'area', interpolate: 'step-after' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step', scale: { nice: false } },
        y: { field: 'weight', type: 'quantitative', stack: 'normalize', title: 'weight', axis: { format: '.0%' } },
        color: { field: 'domain', type: 'nominal', scale: colorScale(data.domains), sort: data.domains, legend: { columns: data.domains.length > 12 ? 2 : 1 } },
        order: { field: 'order', type: 'quantitative' },
      },
      transform: [{ calculate: indexOfExpr(data.domains), as: 'order' }],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Each domain's training loss (binned means) with its fitted law L̂(n) = ε + β·n^(−α) overlaid. */
export function lossChart(data: RunData, options: ChartOptions = {}): ChartSpec {
  const R = data.steps.length;
  // Small multiples need fewer points than a full-width chart (and keep the file small).
  const bins = makeBins(R, Math.min(options.maxPoints ?? 300, data.domains.length > 10 ? 120 : 200));
  const last = binLastRow(bins);
  const values: { step: number; domain: string; loss: number; series: string }[] = [];
  const TRAIN = 'training loss';
  const LAW = 'fitted law';
  data.domains.forEach((domain, k) => {
    const m = binMeans(data.loss[k], bins);
    let highest = -Infinity;
    for (let b = 0; b < bins.count; b++) {
      // Steps are drawn on a log axis (power laws read best there), so step 0 is left out.
      if (Number.isFinite(m[b]) && data.steps[last[b]] > 0) {
        values.push({ step: data.steps[last[b]], domain, loss: round(m[b]), series: TRAIN });
        highest = Math.max(highest, m[b]);
      }
    }
    const law = data.laws[k];
    if (!law) return;
    for (let b = 0; b < bins.count; b++) {
      const n = lawCount(data, k, last[b]);
      if (!(n > 0) || !(data.steps[last[b]] > 0)) continue;
      const v = powerLawValue(law.params, n);
      // A law fitted after the warm-up overshoots when extrapolated back to the first steps;
      // drawn there it would squash the loss curve, so it is drawn only below the curve's top.
      if (Number.isFinite(v) && v <= highest) values.push({ step: data.steps[last[b]], domain, loss: round(v), series: LAW });
    }
  });
  const K = data.domains.length;
  const columns = K <= 2 ? K : K <= 4 ? 2 : K <= 9 ? 3 : 4;
  const totalWidth = options.width ?? 860;
  const cellWidth = Math.floor(totalWidth / columns) - 45;
  return {
    name: 'losses',
    title: 'Training loss per domain, with its fitted law',
    spec: {
      title: {
        text: 'Training loss per domain, with its fitted law',
        subtitle: `${binNote(R, bins.count)}; law L(n) = ε + β·n^(−α), n counted ${data.countMode === 'same-step' ? 'as all examples so far (same-step)' : "as the domain's own examples"}`,
      },
      data: { values },
      facet: { field: 'domain', type: 'nominal', sort: data.domains, title: null, header: { labelFontSize: 12, labelLimit: cellWidth } },
      columns,
      spec: {
        width: cellWidth,
        height: 150,
        mark: { type: 'line' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step (log scale)', scale: { type: 'log', nice: false }, axis: { tickCount: 4, format: '~s' } },
          y: { field: 'loss', type: 'quantitative', title: 'loss (nats)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', scale: { domain: [TRAIN, LAW], range: ['#8fb3d9', '#d62728'] }, title: null, legend: { orient: 'top' } },
          strokeWidth: { field: 'series', type: 'nominal', scale: { domain: [TRAIN, LAW], range: [1.2, 2] }, legend: null },
          strokeDash: { field: 'series', type: 'nominal', scale: { domain: [TRAIN, LAW], range: [[1, 0], [5, 3]] }, title: null, legend: { orient: 'top' } },
        },
      },
      resolve: { scale: { y: 'independent' } },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Held-out loss of every domain at the steps it was evaluated. */
export function evalChart(data: RunData, options: ChartOptions = {}): ChartSpec | null {
  if (!data.hasEval) return null;
  const R = data.steps.length;
  const values: { step: number; domain: string; loss: number }[] = [];
  data.domains.forEach((domain, k) => {
    const rows = thinRows(R, (i) => Number.isFinite(data.evalLoss[k][i]), options.maxPoints ?? 300);
    for (const i of rows) values.push({ step: data.steps[i], domain, loss: round(data.evalLoss[k][i]) });
  });
  return {
    name: 'eval-losses',
    title: 'Held-out loss per domain',
    spec: {
      title: { text: 'Held-out loss per domain', subtitle: 'at the evaluation steps' },
      width: options.width ?? 860,
      height: 300,
      data: { values },
      mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step', scale: { nice: false } },
        y: { field: 'loss', type: 'quantitative', title: 'held-out loss (nats)', scale: { zero: false } },
        color: { field: 'domain', type: 'nominal', scale: colorScale(data.domains), sort: data.domains, legend: { columns: data.domains.length > 12 ? 2 : 1 } },
      },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

function binNote(rows: number, bins: number): string {
  return bins < rows ? `${rows.toLocaleString('en-US')} steps, shown as ${bins} bin means` : `${rows.toLocaleString('en-US')} steps`;
}

/** A Vega expression giving a domain's position in the header order (for the stack order). */
function indexOfExpr(domains: string[]): string {
  return `indexof(${JSON.stringify(domains)}, datum.domain)`;
}
