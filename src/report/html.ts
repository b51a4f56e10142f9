/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no scripts, no
 * network), readable on screen and in print.
 */
import type { RunSummary } from './summary.js';
import type { SimInfo } from './simInfo.js';
import type { RunData } from './runData.js';
import type { LogGuardrails } from './guardrails.js';

export interface HtmlChart {
  name: string;
  title: string;
  /** SVG markup to inline (namespace attributes stripped). */
  svg: string;
}

export interface HtmlInput {
  title: string;
  source: string;
  data: RunData;
  summary: RunSummary;
  charts: HtmlChart[];
  sim?: SimInfo;
  notes: string[];
  /** The fit diagnostics and alerts section (guardrails.ts). */
  guardrails?: LogGuardrails;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Fixed decimals, or an en dash for a missing value. */
export function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** Significant digits (for law parameters whose magnitudes vary). */
export function sig(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(digits - 1) : String(Number(x.toPrecision(digits)));
}

export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);

const CSS = `
body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:980px;margin:24px auto;padding:0 16px;line-height:1.45}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px;font-size:13px;word-break:break-all}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px;margin:0}
dl.kv dt{color:#555}dl.kv dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;font-size:12.5px;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:3px 7px;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}
th{background:#f4f6f8;font-weight:600}td:first-child,th:first-child{text-align:left}
tr:nth-child(even) td{background:#fafbfc}
tfoot td{font-weight:600;border-top:2px solid #ccc}
figure{margin:16px 0}figure svg{max-width:100%;height:auto}
.note{font-size:12.5px;color:#555}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px;vertical-align:baseline}
.good{color:#2a7a2a}.bad{color:#b03030}
`;

export function renderHtml(input: HtmlInput, colors: string[]): string {
  const { summary: s, data } = input;
  const lawSources = new Set(data.laws.filter((l) => l).map((l) => l!.source));
  const lawText =
    lawSources.size === 0
      ? 'none'
      : lawSources.has('log')
        ? `from the step log's params (last values), n counted ${data.countMode}`
        : `fitted by the report over the whole log (fitDomains), n counted ${data.countMode}`;
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="sub">${escapeHtml(input.source)}</p>
<h2>Run</h2>
<dl class="kv">
<dt>steps</dt><dd id="run-steps">${int(s.steps)} (step ${int(s.firstStep)} to ${int(s.lastStep)})</dd>
<dt>${escapeHtml(s.unit)} seen</dt><dd id="run-examples">${int(s.totalExamples)}</dd>
<dt>domains</dt><dd>${data.domains.length}</dd>
<dt>mean final training loss</dt><dd id="run-final-loss">${fmt(s.meanFinalLoss)}</dd>
${s.meanFinalEvalLoss !== null ? `<dt>mean final held-out loss</dt><dd id="run-final-eval">${fmt(s.meanFinalEvalLoss)}</dd>\n` : ''}<dt>fitted laws</dt><dd>${escapeHtml(lawText)}</dd>
${data.skipped > 0 ? `<dt>bad lines skipped</dt><dd>${int(data.skipped)}</dd>\n` : ''}</dl>
`);
  if (input.sim) parts.push(simSection(input.sim, colors));
  for (const c of input.charts) {
    parts.push(`<h2>${escapeHtml(c.title)}</h2>\n<figure id="chart-${escapeHtml(c.name)}">\n${c.svg}\n</figure>\n`);
  }
  parts.push(summaryTable(s, data, colors));
  if (input.guardrails) parts.push(guardrailsSection(input.guardrails, data, colors));
  if (input.notes.length > 0) {
    parts.push(`<h2>Notes</h2>\n<ul class="note">\n${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>\n`);
  }
  parts.push('<p class="note">Written by adomix report. Self-contained: no scripts, no network.</p>\n</body>\n</html>\n');
  return parts.join('');
}

function summaryTable(s: RunSummary, data: RunData, colors: string[]): string {
  const hasW = data.hasWeights;
  const hasP = data.prior !== undefined;
  const hasE = data.hasEval;
  const head = [
    'domain',
    ...(hasP ? ['prior'] : []),
    ...(hasW ? ['mean weight', 'final weight'] : []),
    `${s.unit}`,
    'share',
    `first loss`,
    `final loss`,
    ...(hasE ? ['held-out'] : []),
    'ε',
    'β',
    'α',
  ];
  const rows = s.domains.map((d, k) => {
    const cells = [
      `<span class="swatch" style="background:${colors[k]}"></span>${escapeHtml(d.name)}`,
      ...(hasP ? [fmt(d.prior, 3)] : []),
      ...(hasW ? [fmt(d.meanWeight, 3), fmt(d.finalWeight, 3)] : []),
      int(d.examples),
      pct(d.share),
      fmt(d.firstLoss),
      fmt(d.finalLoss),
      ...(hasE ? [fmt(d.finalEvalLoss)] : []),
      sig(d.epsilon),
      sig(d.beta),
      sig(d.alpha),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const foot = [
    'mean',
    ...(hasP ? [''] : []),
    ...(hasW ? ['', ''] : []),
    int(s.totalExamples),
    '',
    fmt(mean(s.domains.map((d) => d.firstLoss))),
    fmt(s.meanFinalLoss),
    ...(hasE ? [fmt(s.meanFinalEvalLoss)] : []),
    '',
    '',
    '',
  ];
  return `<h2>Summary</h2>
<table id="summary">
<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
<tfoot><tr>${foot.map((c) => `<td>${c}</td>`).join('')}</tr></tfoot>
</table>
<p class="note">first / final loss: mean observed training loss over the first / last ${int(s.window)} steps where the domain was drawn.
ε, β, α: the fitted law L(n) = ε + β·n^(−α).</p>
`;
}

function guardrailsSection(g: LogGuardrails, data: RunData, colors: string[]): string {
  const se = (x: number | null | undefined) => (x === null || x === undefined ? '—' : sig(x, 2));
  const rows = data.domains.map((name, k) => {
    const d = data.laws[k]?.diagnostics;
    const bounds = d ? d.activeBounds.map((b) => `${b.param === 'alpha' ? 'α' : b.param} ${b.side === 'lower' ? '≥' : '≤'} ${sig(b.value, 3)}`).join(', ') : '';
    const cells = d
      ? [int(d.points), sig(d.rms, 2), d.r2 === null ? '—' : fmt(d.r2), se(d.se.alpha), se(d.se.epsilon), escapeHtml(bounds)]
      : ['', '', '', '', '', ''];
    return `<tr><td><span class="swatch" style="background:${colors[k]}"></span>${escapeHtml(name)}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const alerts =
    g.alerts.length === 0
      ? `<p id="alerts">No collapse alerts over ${int(g.refits)} refit${g.refits === 1 ? '' : 's'} in the log${g.finalEntropy !== null ? ` (final mixture entropy ${fmt(g.finalEntropy, 3)} of ln K)` : ''}.</p>`
      : `<ul id="alerts" class="bad">\n${g.alerts.map((a) => `<li>step ${int(a.step)}: ${escapeHtml(a.message)}</li>`).join('\n')}\n</ul>`;
  return `<h2>Fit diagnostics and alerts</h2>
<table id="fit-diagnostics">
<thead><tr><th>domain</th><th>points</th><th>rms (log)</th><th>R² (log)</th><th>SE α</th><th>SE ε</th><th>at a bound</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${alerts}
<p class="note">rms, R²: residuals of log L̂ against the log of the smoothed curve at the fit's points; SE: standard errors from the
Gauss–Newton Hessian (independent points: a lower bound for smoothed curves). Alerts: a domain near δ_min at 3 refits in a row while
its law still falls, or the mixture's entropy below half of ln K (docs/guardrails.md).</p>
`;
}

function simSection(sim: SimInfo, colors: string[]): string {
  const gap = sim.natural ? sim.natural.objective - sim.oracle.objective : null;
  const closed = sim.natural && gap !== null && gap > 1e-12 ? (sim.natural.objective - sim.objective) / gap : null;
  const rows = sim.domains.map(
    (d, k) =>
      `<tr><td><span class="swatch" style="background:${colors[k]}"></span>${escapeHtml(d.name)}</td><td>${fmt(d.prior, 3)}</td><td>${fmt(d.meanWeight, 3)}</td><td>${fmt(d.oracleWeight, 3)}</td><td>${int(d.examples)}</td><td>${fmt(d.finalLoss)}</td><td>${fmt(d.oracleLoss)}</td><td>${d.exhaustedAt === null ? '' : `step ${int(d.exhaustedAt)}`}</td></tr>`,
  );
  return `<h2>Simulation</h2>
<dl class="kv">
<dt>scenario</dt><dd>${escapeHtml(sim.scenario)}${sim.description ? ` — ${escapeHtml(sim.description)}` : ''}</dd>
<dt>policy</dt><dd>${escapeHtml(sim.policy)} (seed ${sim.seed}, ${int(sim.steps)} steps × ${int(sim.batchSize)})</dd>
<dt>mean true loss at the end</dt><dd id="sim-objective">${fmt(sim.objective)}</dd>
<dt>oracle, best static mixture</dt><dd id="sim-oracle">${fmt(sim.oracle.objective)}</dd>
${sim.oracle.schedule ? `<dt>oracle, greedy schedule</dt><dd>${fmt(sim.oracle.schedule.objective)} (mean over the run ${fmt(sim.oracle.schedule.meanOverRun)})</dd>\n` : ''}${sim.natural ? `<dt>natural mixture</dt><dd>${fmt(sim.natural.objective)}</dd>\n` : ''}${closed !== null ? `<dt>gap to the oracle closed</dt><dd id="sim-gap-closed" class="${closed >= 0 ? 'good' : 'bad'}">${(100 * closed).toFixed(1)}% of (natural − oracle)</dd>\n` : ''}</dl>
<table id="sim-domains">
<thead><tr><th>domain</th><th>prior</th><th>mean weight</th><th>oracle weight</th><th>examples</th><th>true loss</th><th>oracle loss</th><th>ran out</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
`;
}

function mean(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null;
}
