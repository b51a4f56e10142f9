/**
 * The live page of a served run: the run report (src/report) of its step log as it stands,
 * with a line of live status above it, reloading itself.
 */
import { buildReport } from '../report/index.js';
import { escapeHtml } from '../report/html.js';
import type { StepLog } from '../runlog/index.js';

function statusLine(s: Record<string, unknown>): string {
  const waiting = s.waitingFor as { step: number; ranks: number[]; sinceMs: number } | null;
  const stalled = (s.stalled ?? []) as { rank: number; missingSinceStep: number }[];
  const parts = [`run <b>${escapeHtml(String(s.id))}</b>`, `policy ${escapeHtml(String(s.policy))}`, `${s.ranks} ranks`, `applied step ${s.applied}`];
  if (s.leader !== undefined) parts.push(`leader ${escapeHtml(String(s.leader))}`);
  if (waiting) parts.push(`step ${waiting.step} waits for ranks ${waiting.ranks.slice(0, 16).join(', ')}${waiting.ranks.length > 16 ? ', …' : ''} (${Math.round(waiting.sinceMs)} ms)`);
  if (stalled.length > 0) parts.push(`<span class="bad">stalled: ${stalled.slice(0, 16).map((r) => `rank ${r.rank} since step ${r.missingSinceStep}`).join('; ')}</span>`);
  if (s.failed) parts.push(`<span class="bad">failed: ${escapeHtml(String(s.failed))}</span>`);
  return `<p class="sub" id="live-status">${parts.join(' · ')}</p>`;
}

/** The report of `log` (or a short page without one), with the status line and a reload every `refreshSeconds`. */
export async function reportHtml(log: StepLog | undefined, source: string, id: string): Promise<string> {
  if (log !== undefined && log.records.length > 0) return (await buildReport(log, { title: `adomix serve: ${id}`, source })).html;
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>adomix serve: ${escapeHtml(id)}</title></head><body>\n<h1>adomix serve: ${escapeHtml(id)}</h1>\n<p>${log === undefined ? 'This server keeps no step log (it was started without a state directory), so there is no report to draw.' : 'No step applied yet.'}</p>\n</body></html>\n`;
}

/** Adds the live parts to a report page. */
export function livePage(report: string, status: Record<string, unknown>, refreshSeconds: number): string {
  return report
    .replace('<head>', `<head>\n<meta http-equiv="refresh" content="${refreshSeconds}">`)
    .replace(/(<body>\s*<h1>[^<]*<\/h1>)/, `$1\n${statusLine(status)}`);
}
