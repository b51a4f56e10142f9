/**
 * `adomix import <input> --to <steplog>`: convert a log from another logger (a W&B-style
 * wide CSV/TSV, TensorBoard event files or a log directory) into a step log, written
 * atomically. Thin: src/import does the work.
 */
import { Command } from 'commander';
import { importToFile } from '../import/index.js';
import { addImportOptions, importOptionsOf, type ImportCliOptions } from './importOptions.js';

interface ImportCommandOptions extends ImportCliOptions {
  to: string;
  skipBad?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('import')
    .summary('convert a W&B CSV/TSV export or TensorBoard event files into a step log')
    .description(
      [
        'Read a log from another logger and write it as a step log (JSONL; the CSV form for a .csv --to), ' +
          'atomically: a temporary file renamed into place, never over the input or a non-regular file.',
        'Formats (--format auto detects them): a wide CSV or TSV, one row per logged step, a step column ' +
          'and one loss column per domain picked by --loss-columns (W&B exports: columns ending in __MIN or ' +
          '__MAX are left out, an empty cell is "not measured"); TensorBoard event files (events.out.tfevents.*) ' +
          'or a directory searched for them, scalars picked by --loss-tags; or a step log, rewritten.',
        'Counts: --count-columns / --count-tags (per domain, since the previous row), --tokens-column ' +
          '(cumulative tokens), or --batch N with --weights. A row where a domain has no loss adds its counts ' +
          'to the next row where it has one. When the measured steps are not consecutive (an evaluation every ' +
          'few hundred steps) the step log is sparse: one record per evaluation.',
        'Prints what was detected and done (one JSON object with --json: {"input","out","format","sparse",' +
          '"domains","records","firstStep","lastStep","skipped","description","notes"}).',
      ].join('\n\n'),
    )
    .argument('<input>', 'a .csv/.tsv export, an event file, or a TensorBoard log directory')
    .requiredOption('--to <file>', 'the step log to write (.jsonl, or .csv for the CSV form)');
  addImportOptions(command)
    .option('--skip-bad', 'skip bad rows (CSV) or corrupt records (TensorBoard) and count them, instead of failing')
    .option('--json', 'print one JSON object instead of the summary lines')
    .action(async (input: string, options: ImportCommandOptions) => {
      const r = await importToFile(input, options.to, { ...importOptionsOf(options), skipBad: options.skipBad === true });
      const records = r.log.records;
      if (options.json) {
        process.stdout.write(
          JSON.stringify({
            input,
            out: r.out,
            format: r.detected.format,
            sparse: r.log.header.sparse === true,
            domains: r.log.header.domains,
            records: records.length,
            firstStep: records[0].step,
            lastStep: records[records.length - 1].step,
            skipped: r.log.skipped,
            description: r.report?.description ?? `${r.detected.reason}: a step log, rewritten`,
            notes: r.report?.notes ?? [],
          }) + '\n',
        );
        return;
      }
      const lines = [
        `${input}: ${r.report?.description ?? `a step log (${r.detected.reason}), rewritten`}`,
        ...(r.report?.notes ?? []),
        `wrote ${r.out}: ${r.log.header.domains.length} domain${r.log.header.domains.length === 1 ? '' : 's'} (${r.log.header.domains.join(', ')}), ${records.length} ${r.log.header.sparse ? 'evaluations' : 'steps'} (steps ${records[0].step}–${records[records.length - 1].step})${r.log.header.sparse ? ', sparse' : ''}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
