#!/usr/bin/env node
/**
 * The `adomix` command. Each subcommand lives in its own file and exports
 * `register(program)`; this file only wires them together.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { register as registerFit } from './fit.js';
import { register as registerImport } from './import.js';
import { register as registerLaws } from './laws/index.js';
import { register as registerCost } from './cost.js';
import { register as registerReplay } from './replay.js';
import { register as registerSimulate } from './simulate.js';
import { register as registerReport } from './report.js';
import { register as registerTrain } from './train.js';
import { register as registerServe } from './serve.js';
import { register as registerSchedule } from './schedule.js';

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('adomix')
    .description(
      'Online data-mixture scheduling (Adaptive Data Optimization) and scaling-law tools.',
    )
    .version(version)
    .showHelpAfterError('(run with --help for usage)');
  registerFit(program);
  registerImport(program);
  registerLaws(program);
  registerCost(program);
  registerReplay(program);
  registerSimulate(program);
  registerReport(program);
  registerTrain(program);
  registerServe(program);
  registerSchedule(program);
  return program;
}

/** A reader that stopped reading (`adomix replay log | head`) ends the command quietly, as SIGPIPE ends other tools (exit 141). */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe(process.stdout);
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`adomix: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main();
