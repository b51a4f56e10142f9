/**
 * Running python from tests: asynchronously (spawn), because the servers under test run on
 * the test's own event loop and a synchronous child would block them.
 */
import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`); a command that cannot start gives code null. */
export function runCommand(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env }, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: stderr + String(err) }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The pythons tried, in order: the one on PATH, then Debian's (which has python3-torch and python3-redis here). */
export const PYTHONS = ['python3', '/usr/bin/python3'];

/** The first python for which `args` succeeds (e.g. `['-c', 'import torch']`). */
export async function firstPython(args: string[]): Promise<string | undefined> {
  for (const p of PYTHONS) if ((await runCommand(p, args)).code === 0) return p;
  return undefined;
}
