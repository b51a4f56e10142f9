// The run report: charts (Vega-Lite rendered to SVG) and one self-contained HTML file (issue 5).
export { buildReport } from './buildReport.js';
export type { Report, ReportOptions, RenderedChart } from './buildReport.js';
export { writeReport, writeRunReport, findRunLog, findStepLog, STEP_LOG_NAMES, SIM_INFO_NAME, REPORT_NAME } from './writeReport.js';
export type { WriteReportOptions, WrittenReport } from './writeReport.js';
export { runData, lawCount } from './runData.js';
export { logGuardrails } from './guardrails.js';
export type { LogGuardrails, LogAlert } from './guardrails.js';
export type { RunData, RunDataOptions, DomainLaw } from './runData.js';
export { summarize } from './summary.js';
export type { RunSummary, DomainSummary } from './summary.js';
export { weightsChart, lossChart, evalChart } from './charts.js';
export type { ChartSpec, ChartOptions } from './charts.js';
export { renderSvg, inlineSvg } from './renderSvg.js';
export { parseSimInfo, SimInfoSchema, SIM_INFO_FORMAT } from './simInfo.js';
export type { SimInfo } from './simInfo.js';
