/** The writers: a staged schedule in the terms each training engine reads. */
import type { SchedulePlan } from '../plan.js';
import { formatCsv } from './csv.js';
import { formatHf } from './hf.js';
import { formatMegatron } from './megatron.js';
import { formatMosaic } from './mosaic.js';
import { formatOlmoCore } from './olmoCore.js';

export const SCHEDULE_FORMATS = ['megatron', 'olmo-core', 'mosaic', 'hf', 'csv'] as const;
export type ScheduleFormat = (typeof SCHEDULE_FORMATS)[number];

const WRITERS: Record<ScheduleFormat, (plan: SchedulePlan) => string> = {
  megatron: formatMegatron,
  'olmo-core': formatOlmoCore,
  mosaic: formatMosaic,
  hf: formatHf,
  csv: formatCsv,
};

/** The text of `plan` in `format`. */
export function formatSchedule(plan: SchedulePlan, format: ScheduleFormat): string {
  const writer = WRITERS[format];
  if (writer === undefined) throw new Error(`unknown schedule format "${String(format)}" (formats: ${SCHEDULE_FORMATS.join(', ')})`);
  return writer(plan);
}

export { formatCsv, formatHf, formatMegatron, formatMosaic, formatOlmoCore };
export { shellWord, dataPathWords } from './megatron.js';
export { streamLocation } from './mosaic.js';
export { loadArguments, pythonString } from './hf.js';
