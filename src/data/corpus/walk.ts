/**
 * The files under a folder, recursively, as '/'-separated paths relative to it, sorted by
 * UTF-16 code unit (JavaScript's default order: the same on every machine and locale, so the
 * same folder gives the same token stream everywhere). Symbolic links are followed, a link
 * back to a folder already being walked is not (no endless loop). Names starting with '.'
 * are skipped: `.git`, `.DS_Store`, the `.adomix-cache` folder itself.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function walkFiles(dir: string, exclude: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const visiting = new Set<string>();
  const visit = (abs: string, rel: string): void => {
    const real = realpathSync(abs);
    if (visiting.has(real)) return;
    visiting.add(real);
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(abs, name);
      if (exclude(path)) continue;
      let isDir: boolean;
      try {
        const st = statSync(path);
        if (!st.isDirectory() && !st.isFile()) continue; // FIFOs, sockets, devices: not corpus files
        isDir = st.isDirectory();
      } catch {
        continue; // a dangling link
      }
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (isDir) visit(path, childRel);
      else out.push(childRel);
    }
    visiting.delete(real);
  };
  visit(dir, '');
  return out.sort();
}
