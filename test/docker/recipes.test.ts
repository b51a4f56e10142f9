/**
 * Docker cannot build on our machines, so the recipes are checked here for what can be
 * checked: pinned images, the CUDA/cuDNN that tfjs-node-gpu 4.22 needs, paths that exist,
 * a backend name adomix knows, and usage lines that are exactly the documentation's
 * (README.md or a page of docs/, e.g. docs/gpu.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const docs = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** README.md and docs/*.md, each wrapped in newlines so a usage line may be any file's first or last. */
const documentation = docs.map((f) => `\n${read(f)}\n`).join('');

/** `docker …` usage lines from a recipe's header comment. */
function usageLines(recipe: string): string[] {
  return recipe
    .split('\n')
    .filter((l) => /^#\s+docker (build|run) /.test(l))
    .map((l) => l.replace(/^#\s+/, ''));
}

describe.each([
  ['docker/Dockerfile', 'wasm'],
  ['docker/Dockerfile.gpu', 'tensorflow'],
])('%s', (path, backend) => {
  const recipe = read(path);

  it('pins its base image and installs with npm ci', () => {
    const from = /^FROM (\S+)/m.exec(recipe)?.[1] ?? '';
    expect(from).toMatch(/:\d+\.\d+\.\d+/);
    expect(recipe).toMatch(/RUN npm ci\b/);
  });

  it('copies only paths that exist in the repository', () => {
    const copies = [...recipe.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copies.length).toBeGreaterThan(0);
    for (const p of copies) expect(existsSync(new URL(p, root)), p).toBe(true);
  });

  it(`selects the ${backend} backend and runs adomix train`, () => {
    expect(recipe).toContain(`ENV ADOMIX_BACKEND=${backend}`);
    expect(recipe).toContain('ENTRYPOINT ["npx", "adomix"]');
    expect(recipe).toContain('CMD ["train"]');
  });

  it('has usage lines that are exactly those of the documentation', () => {
    const lines = usageLines(recipe);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(documentation, line).toContain(`\n${line}\n`);
  });
});

describe('docker/Dockerfile.gpu', () => {
  const recipe = read('docker/Dockerfile.gpu');

  it('uses the CUDA 11.2 + cuDNN 8 runtime that libtensorflow 2.9 (tfjs-node-gpu 4.22) needs', () => {
    expect(recipe).toMatch(/^FROM nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-ubuntu\d+\.\d+$/m);
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node-gpu']?.version).toBe('4.22.0');
  });

  it('installs a Node that satisfies the package engines', () => {
    const version = /ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)/.exec(recipe);
    expect(version).not.toBeNull();
    const [major, minor] = [Number(version![1]), Number(version![2])];
    expect(major === 20 ? minor >= 19 : major > 20).toBe(true);
  });
});
