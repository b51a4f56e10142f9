/**
 * The live page of a served run: the run report (src/report) of its step log as it stands,
 * with a line of live status above it, reloading itself. Rebuilt only when a step was
 * applied since the last build.
 */
import { join } from 'node:path';
import { buildReport } from '../report/index.js';
import { escapeHtml } from '../report/html.js';
import { readStepLog } from '../runlog/index.js';
import type { RegisteredRun } from './RunRegistry.js';
import { RUN_FILES } from './runStore.js';

const cache = new WeakMap<RegisteredRun, { applied: number; html: string }>();

function statusLine(entry: RegisteredRun): string {
  const s = entry.run.status(Date.now());
  const waiting = s.waitingFor as { step: number; ranks: number[]; sinceMs: number } | null;
  const stalled = s.stalled as { rank: number; missingSinceStep: number }[];
  const parts = [`run <b>${escapeHtml(entry.run.id)}</b>`, `policy ${escapeHtml(String(s.policy))}`, `${s.ranks} ranks`, `applied step ${s.applied}`];
  if (waiting !== null) parts.push(`step ${waiting.step} waits for ranks ${waiting.ranks.slice(0, 16).join(', ')}${waiting.ranks.length > 16 ? ', …' : ''} (${Math.round(waiting.sinceMs)} ms)`);
  if (stalled.length > 0) parts.push(`<span class="bad">stalled: ${stalled.slice(0, 16).map((r) => `rank ${r.rank} since step ${r.missingSinceStep}`).join('; ')}</span>`);
  if (s.failed !== null) parts.push(`<span class="bad">failed: ${escapeHtml(String(s.failed))}</span>`);
  return `<p class="sub" id="live-status">${parts.join(' · ')}</p>`;
}

export async function livePage(entry: RegisteredRun, refreshSeconds: number): Promise<string> {
  const refresh = `<meta http-equiv="refresh" content="${refreshSeconds}">`;
  const cached = cache.get(entry);
  let html = cached !== undefined && cached.applied === entry.run.applied ? cached.html : undefined;
  if (html === undefined) {
    const applied = entry.run.applied;
    if (entry.store !== undefined && applied >= 0) {
      const log = await readStepLog(join(entry.store.dir, RUN_FILES.steplog), { skipBad: true });
      html = (await buildReport(log, { title: `adomix serve: ${entry.run.id}`, source: join(entry.store.dir, RUN_FILES.steplog) })).html;
    } else {
      html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>adomix serve: ${escapeHtml(entry.run.id)}</title></head><body>\n<h1>adomix serve: ${escapeHtml(entry.run.id)}</h1>\n<p>${applied < 0 ? 'No step applied yet.' : 'This server keeps no step log (it was started without a state directory), so there is no report to draw.'}</p>\n</body></html>\n`;
    }
    cache.set(entry, { applied, html });
  }
  return html.replace('<head>', `<head>\n${refresh}`).replace(/(<body>\s*<h1>[^<]*<\/h1>)/, `$1\n${statusLine(entry)}`);
}
