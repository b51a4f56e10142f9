/**
 * Where a file may be published. Every writer in adomix writes a temporary file and renames
 * it over its target; renaming over the wrong thing loses data, so the target is looked at
 * first:
 *
 * - a target that does not exist yet is fine;
 * - a regular file is replaced;
 * - a symbolic link is written THROUGH: the file it points to is replaced and the link stays
 *   a link (the temporary file goes next to the real file, so the rename stays atomic);
 *   a link that points nowhere is refused;
 * - a directory, FIFO, socket or device node is refused.
 *
 * `assertNotAnInput` adds the check only a command knows about: an output must not be the
 * same file (device and inode, through symlinks and hard links) as any of its inputs.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

/** What kind of thing `st` is, for messages ("a directory", "a FIFO", …). */
export function describeFileType(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device node';
  if (st.isBlockDevice()) return 'a block device node';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The path a writer must rename over to publish `path`: `path` itself, or the real file a
 * symbolic link points to. Throws (naming `path` and what it is) for a directory, FIFO,
 * socket, device node or a dangling link.
 */
export function resolveOutputTarget(path: string): string {
  const st = lstatOrUndefined(path);
  if (st === undefined || st.isFile()) return path;
  if (st.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw new Error(`cannot write ${path}: it is a symbolic link to a file that does not exist`);
    }
    const target = statSync(real);
    if (!target.isFile()) throw new Error(`cannot write ${path}: it is a symbolic link to ${describeFileType(target)} (${real}), not a regular file`);
    return real;
  }
  throw new Error(`cannot write ${path}: it is ${describeFileType(st)}, not a regular file; refusing to replace it`);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** True when both paths exist and are the same file (same device and inode, links followed). */
export function isSameFile(a: string, b: string): boolean {
  const sa = statOrUndefined(a);
  const sb = statOrUndefined(b);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** A file a command reads or writes, and the words its messages use for it (`--out`, `the step log`). */
export interface NamedPath {
  path: string;
  what: string;
}

/**
 * Throws when an output is the same file as an input, or two outputs are one file: both
 * would destroy data (the rename replaces the input; two writers overwrite each other).
 * Outputs that do not exist yet cannot be any input. Also checks each output's target kind.
 */
export function assertNotAnInput(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  outputs.forEach((out, i) => {
    resolveOutputTarget(out.path);
    for (const input of inputs) {
      if (isSameFile(out.path, input.path)) {
        throw new Error(`${out.what} ${out.path} is the same file as ${input.what} ${input.path}; refusing to overwrite an input (choose another ${out.what})`);
      }
    }
    for (const other of outputs.slice(0, i)) {
      if (resolve(out.path) === resolve(other.path) || isSameFile(out.path, other.path)) {
        throw new Error(`${out.what} ${out.path} is the same file as ${other.what} ${other.path}; give them different files`);
      }
    }
  });
}
