/**
 * `npm run bench -- <name> [--json] [options]`: runs bench/<name>.ts.
 *
 * Each benchmark module exports `run(args)`, prints what it likes while running, and with
 * `--json` ends its output with exactly one JSON line `{"bench": "<name>", ...figures}`.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchArgs {
  json: boolean;
  /** Remaining `--key value` / `--flag` options, as strings (`"true"` for bare flags). */
  options: Record<string, string>;
}

export type BenchModule = { run(args: BenchArgs): Promise<void> };

const here = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function parseArgs(argv: string[]): { name?: string; args: BenchArgs } {
  const options: Record<string, string> = {};
  let name: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        options[a.slice(2)] = next;
        i++;
      } else options[a.slice(2)] = 'true';
    } else if (name === undefined) name = a;
  }
  return { name, args: { json, options } };
}

const { name, args } = parseArgs(process.argv.slice(2));
const names = available();
if (name === undefined || !names.includes(name)) {
  process.stderr.write(
    `${name === undefined ? 'no benchmark named' : `unknown benchmark "${name}"`}; ` +
      `usage: npm run bench -- <name> [--json]\navailable: ${names.join(', ')}\n`,
  );
  process.exit(2);
}
const mod = (await import(`./${name}.js`)) as BenchModule;
await mod.run(args);
