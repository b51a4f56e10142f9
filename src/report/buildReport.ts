/**
 * A step log → the report: the run's series (runData), its numbers (summarize), the
 * Vega-Lite charts rendered to SVG, and the HTML page holding them all. No file I/O.
 */
import type { StepLog } from '../runlog/index.js';
import { evalChart, lossChart, weightsChart, type ChartOptions, type ChartSpec } from './charts.js';
import { renderHtml } from './html.js';
import { domainColors } from './palette.js';
import { inlineSvg, renderSvg } from './renderSvg.js';
import { runData, type RunData, type RunDataOptions } from './runData.js';
import type { SimInfo } from './simInfo.js';
import { summarize, type RunSummary } from './summary.js';
import { logGuardrails, type LogGuardrails } from './guardrails.js';

export interface ReportOptions extends RunDataOptions, ChartOptions {
  /** Page title (default "adomix run report"). */
  title?: string;
  /** What the page says it reports on (e.g. the step log's path). */
  source?: string;
  /** A simulated run's truth and oracle (sim.json). */
  sim?: SimInfo;
}

export interface RenderedChart {
  name: string;
  title: string;
  /** Standalone SVG document. */
  svg: string;
}

export interface Report {
  html: string;
  charts: RenderedChart[];
  summary: RunSummary;
  data: RunData;
  /** The laws' fit diagnostics are in data.laws; these are the log's collapse alerts. */
  guardrails: LogGuardrails;
}

export async function buildReport(log: StepLog, options: ReportOptions = {}): Promise<Report> {
  const data = runData(log, options);
  const summary = summarize(data);
  const specs = [weightsChart(data, options), lossChart(data, options), evalChart(data, options)].filter(
    (c): c is ChartSpec => c !== null,
  );
  const charts: RenderedChart[] = [];
  for (const c of specs) charts.push({ name: c.name, title: c.title, svg: await renderSvg(c.spec) });

  const notes: string[] = [];
  if (!data.hasWeights) notes.push('The step log has no weights: the mixture chart is left out.');
  if (!data.hasEval) notes.push('The step log has no held-out losses (evalLoss): their chart is left out.');
  if (log.header.sparse === true)
    notes.push(`A sparse curve: ${log.records.length} evaluations, one record each; a law fitted here takes every evaluation as one point, smoothed over a window in points.`);
  data.lawNotes.forEach((n, k) => {
    if (n) notes.push(`${data.domains[k]}: no fitted law (${n}).`);
  });
  if (options.sim && options.sim.domains.map((d) => d.name).join('\u0000') !== data.domains.join('\u0000')) {
    throw new Error(`the simulation info names domains [${options.sim.domains.map((d) => d.name).join(', ')}], the step log [${data.domains.join(', ')}]`);
  }
  const guardrails = logGuardrails(log, data);
  const html = renderHtml(
    {
      title: options.title ?? 'adomix run report',
      source: options.source ?? '',
      data,
      summary,
      charts: charts.map((c) => ({ name: c.name, title: c.title, svg: inlineSvg(c.svg) })),
      sim: options.sim,
      notes,
      guardrails,
    },
    domainColors(data.domains.length),
  );
  return { html, charts, summary, data, guardrails };
}
