/**
 * The TypeScript examples of README.md and docs/*.md compile against the package's real
 * exports: each ```ts block becomes a module importing 'adomix' and 'adomix/tfjs' (the
 * package's own exports, resolved to dist/: `npm test` builds first), type-checked by tsc.
 * Placeholders for the reader's own code are `declare`d in the examples themselves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docFiles = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The ```ts blocks of a document, with the line each starts on. */
function tsBlocks(file: string): { line: number; code: string }[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i])) body.push(lines[i]);
    blocks.push({ line: start, code: body.join('\n') });
  }
  return blocks;
}

// Inside the package, so that 'adomix' resolves to the package itself (its exports map).
const dir = mkdtempSync(join(root, '.doc-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('documentation examples', () => {
  const blocks = docFiles.flatMap((f) => tsBlocks(f).map((b) => ({ ...b, file: f })));

  it('there are examples in the README and in the API docs', () => {
    expect(blocks.some((b) => b.file === 'README.md')).toBe(true);
    expect(blocks.some((b) => b.file === 'docs/api.md')).toBe(true);
  });

  it('every ```ts example type-checks against the real exports', () => {
    const names = new Map<string, string>();
    for (const b of blocks) {
      const name = `${b.file.replace(/[^\w]+/g, '_')}_${b.line}.ts`;
      names.set(name, `${b.file}:${b.line}`);
      writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
    }
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      include: ['*.ts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', cwd: root });
    // Name the document and line instead of the temporary file.
    const report = (r.stdout + r.stderr).replace(/\S*\.doc-examples-\w+[/\\](\S+?\.ts)\((\d+),(\d+)\)/g, (_m, f: string, l: string) => {
      const at = names.get(f);
      if (at === undefined) return f;
      const [doc, start] = at.split(':');
      return `${doc}:${Number(start) + Number(l)}`;
    });
    expect(report).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});
