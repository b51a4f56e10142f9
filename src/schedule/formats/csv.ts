/** CSV: `stage,start_step,end_step,<domain>…`, one row per stage (steps inclusive, log steps). */
import type { SchedulePlan } from '../plan.js';

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(plan: SchedulePlan): string {
  const header = ['stage', 'start_step', 'end_step', ...plan.domains].map(csvField).join(',');
  const rows = plan.stages.map((s) => [s.stage, s.startStep, s.endStep, ...s.decimals].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}
