/**
 * The shape of src/: no import cycles, and every import between folders points inward, from
 * the edges (cli, the training job, the integration) to the pure core (policies, curves,
 * planning, numerics). A short script over the import statements (TypeScript 7's `tsc` has
 * no compiler API for tools like madge to use): relative imports and re-exports, type-only
 * ones included.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * Each folder's rank: a folder may import its own files and folders of a LOWER rank only.
 * The entry points (src/index.ts, src/tfjsEntry.ts) re-export everything.
 */
export const RANK: Record<string, number> = {
  numerics: 0,
  random: 0,
  client: 0,
  curves: 1,
  planning: 1,
  stages: 1,
  mixing: 2,
  refit: 3,
  runlog: 3,
  // Logs from other loggers (W&B CSV, TensorBoard) in: above runlog, whose step logs they
  // become, and below the readers of step logs (replay, report) that take them directly.
  import: 3.5,
  data: 4,
  sim: 4,
  report: 4,
  replay: 4,
  tfjs: 4,
  models: 5,
  serve: 5,
  schedule: 5,
  train: 6,
  cli: 7,
  '.': 8,
};

/** The pure folders: numbers in, numbers out. */
const PURE = ['numerics', 'random', 'curves', 'planning', 'stages', 'mixing'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

const folderOf = (file: string): string => {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0] : '.';
};

const graph = new Map<string, string[]>();
for (const f of files(SRC)) {
  const deps = specifiers(readFileSync(f, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(f), s.replace(/\.js$/, '.ts')));
  graph.set(f, deps);
}

describe('src/ import structure', () => {
  it('every import resolves to a file in src/', () => {
    for (const [f, deps] of graph) for (const d of deps) expect(graph.has(d), `${relative(SRC, f)} imports ${relative(SRC, d)}`).toBe(true);
  });

  it('has no import cycles', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(relative(SRC, w));
        } while (w !== v);
        if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
      }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it('imports between folders point inward only', () => {
    const wrong: string[] = [];
    for (const [f, deps] of graph) {
      const from = folderOf(f);
      if (RANK[from] === undefined) wrong.push(`${relative(SRC, f)}: folder ${from} has no rank in this test`);
      for (const d of deps) {
        const to = folderOf(d);
        if (to !== from && !(RANK[to] < RANK[from])) wrong.push(`${relative(SRC, f)} → ${relative(SRC, d)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the math and the policies import no I/O, no tfjs, no logger', () => {
    const io = /^(node:|fs$|path$|@tensorflow|pino|commander|fastify|ioredis)/;
    const found: string[] = [];
    for (const [f] of graph) {
      if (!PURE.includes(folderOf(f))) continue;
      for (const s of specifiers(readFileSync(f, 'utf8'))) if (io.test(s)) found.push(`${relative(SRC, f)} imports ${s}`);
    }
    // The refit worker thread lives in src/refit; mixing's inline runner needs nothing.
    expect(found).toEqual([]);
  });

  it('the checker sees imports, re-exports, type-only and dynamic imports', () => {
    const text = "import a from './a.js';\nimport type { B } from '../b.js';\nexport { c } from './c.js';\nexport * from './d.js';\nconst e = await import('./e.js');\nimport './f.js';";
    expect(specifiers(text)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './f.js', './e.js']);
  });
});
