/**
 * A held-out split by files: a share of a domain's files, each chosen by a hash of its
 * path, so that the held-out text is spread over the whole domain (as a split by document
 * is) instead of being its alphabetical tail, which in a corpus sorted by path is one or
 * two files of one kind (the last package's changelog, the last code page).
 *
 * File f is held out when u(f) < share, where u(f) is the first 32 bits of SHA-256 of its
 * path relative to the manifest, over 2^32: the choice depends on the file's name alone,
 * not on the other files, the machine or the order of the globs, and a file keeps its side
 * when files are added. At least one file is held out (the lowest u) and at least one
 * trains (the highest u stays in training).
 */
import { createHash } from 'node:crypto';

/** u(f) in [0, 1) for a '/'-separated relative path. */
export function fileHash(relativePath: string): number {
  return createHash('sha256').update(relativePath).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * `files` (absolute, sorted) split into training and held-out files, each list kept in the
 * input order; `relativeOf` gives the path that is hashed. Undefined for fewer than two
 * files, which cannot be split.
 */
export function splitFilesByHash(files: readonly string[], share: number, relativeOf: (file: string) => string): { train: string[]; heldOut: string[] } | undefined {
  if (files.length < 2) return undefined;
  const u = files.map((f) => fileHash(relativeOf(f)));
  const held = u.map((x) => x < share);
  if (!held.includes(true)) held[u.indexOf(Math.min(...u))] = true;
  if (!held.includes(false)) held[u.indexOf(Math.max(...u))] = false;
  return { train: files.filter((_, i) => !held[i]), heldOut: files.filter((_, i) => held[i]) };
}
