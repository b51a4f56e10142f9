/** Runs the BUILT command line (`npm test` builds dist/ before vitest starts). */
import { spawnSync } from 'node:child_process';

export const CLI = 'dist/src/cli/main.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `adomix …args`, synchronously, from the repository root. */
export function adomix(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
