/** Runs the BUILT command line (`npm test` builds dist/ before vitest starts). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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

/** A running `adomix …args` (asynchronous, so runs overlap and can be signalled), and its end. */
export function adomixChild(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [join(process.cwd(), CLI), ...args], { env: { ...process.env, ADOMIX_LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done };
}

/** `adomix …args` asynchronously (pino at warn unless `env` says). */
export function adomixAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return adomixChild(args, env).done;
}

/** `adomix serve --port 0 …args`; resolves with its URL once it prints that it listens. */
export async function adomixServe(args: string[]): Promise<{ url: string; child: ReturnType<typeof adomixChild> }> {
  const child = adomixChild(['serve', '--port', '0', ...args]);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.child.stdout!.on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void child.done.then((r) => reject(new Error(`adomix serve exited early (${r.status}): ${r.stderr.slice(-2000)}`)));
  });
  return { url, child };
}
