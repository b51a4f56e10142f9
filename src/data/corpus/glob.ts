/**
 * Glob patterns of a manifest's `files` (Node 20 has no `fs.glob`): `*` matches any run of
 * characters within one path segment, `?` one character, `[abc]` / `[a-z]` / `[!a]` one of
 * a class, `{ts,tsx}` one of the alternatives (within a segment), `**` as a whole segment any
 * number of folders (none included), `\` escapes. Wildcards never match a name starting with
 * '.', as in a shell. Patterns are '/'-separated and relative to the manifest's folder.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { walkFiles } from './walk.js';

/** True when `pattern` has a wildcard: it names files by a pattern, not one path. */
export function hasGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

const escapeRe = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Index of the `}` closing the `{` at `open`, or −1. */
function closingBrace(seg: string, open: number): number {
  let depth = 0;
  for (let i = open; i < seg.length; i++) {
    if (seg[i] === '\\') i++;
    else if (seg[i] === '{') depth++;
    else if (seg[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** `{a,b{c,d}}`'s top-level alternatives. */
function alternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') i++;
    else if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

/** One segment (no '/') as a regular expression source. */
function segmentSource(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) out += escapeRe(seg[++i]);
    else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      const close = closingBrace(seg, i);
      if (close < 0) {
        out += '\\{';
        continue;
      }
      out += `(?:${alternatives(seg.slice(i + 1, close)).map(segmentSource).join('|')})`;
      i = close;
    } else out += escapeRe(c);
  }
  return out;
}

/** A pattern (relative, '/'-separated) as a RegExp over relative paths. */
export function globRegExp(pattern: string): RegExp {
  const segs = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let src = '';
  segs.forEach((seg, k) => {
    const last = k === segs.length - 1;
    // (?!\.): a wildcard segment does not match a hidden name, unless the pattern spells the dot.
    if (seg === '**') src += last ? '(?:(?!\\.)[^/]+/)*(?!\\.)[^/]+' : '(?:(?!\\.)[^/]+/)*';
    else src += (seg.startsWith('.') ? '' : '(?!\\.)') + segmentSource(seg) + (last ? '' : '/');
  });
  return new RegExp(`^${src}$`);
}

/**
 * The files matching `pattern` (relative to `base`, or absolute), as absolute paths sorted by
 * path: the walk starts at the pattern's leading segments without wildcards.
 */
export function expandGlob(base: string, pattern: string, exclude?: (path: string) => boolean): string[] {
  const segs = pattern.split('/');
  let k = 0;
  while (k < segs.length - 1 && !hasGlob(segs[k])) k++;
  const fixed = segs.slice(0, k).join('/');
  const root = isAbsolute(pattern) ? resolve('/', fixed) : resolve(base, fixed);
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const re = globRegExp(segs.slice(k).join('/'));
  return walkFiles(root, exclude)
    .filter((rel) => re.test(rel))
    .map((rel) => join(root, rel));
}
