/**
 * The documentation's commands are real: every `adomix …` line in README.md and docs/*.md
 * (code blocks and inline code) names a subcommand the built CLI has and only options its
 * --help lists, every `npm run bench -- <name>` names a benchmark in bench/, and every
 * option of every subcommand is documented in docs/cli.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adomix } from '../helpers/cli.js';
import { checkCommand, findBenches, findCommands, helpCommands, helpFlags, NESTED, type DocCommand } from './docsCommands.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const docFiles = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

const helpCache = new Map<string, string | undefined>();
/** `adomix <path> --help`, or undefined when it fails. */
function help(path: string[]): string | undefined {
  const key = path.join(' ');
  if (!helpCache.has(key)) {
    const r = adomix(...path, '--help');
    helpCache.set(key, r.status === 0 ? r.stdout : undefined);
  }
  return helpCache.get(key);
}

/** The benchmarks `npm run bench` runs: bench/<name>.ts, except run.ts and _helpers. */
const benchmarks = new Set(
  readdirSync(new URL('bench/', root))
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3)),
);

function benchProblems(file: string, markdown: string): string[] {
  return findBenches(file, markdown)
    .filter((b) => !benchmarks.has(b.name))
    .map((b) => `${b.where}: npm run bench -- ${b.name}: no benchmark "${b.name}" (bench/: ${[...benchmarks].sort().join(', ')})`);
}

function commandProblems(commands: DocCommand[]): string[] {
  return commands.flatMap((c) => checkCommand(c, help));
}

const allCommands = docFiles.flatMap((f) => findCommands(f, read(f)));

describe('documented commands', () => {
  it('the README and the docs pages are there', () => {
    for (const page of ['cli', 'api', 'steplog', 'gpu', 'benchmarks', 'layout']) expect(docFiles).toContain(`docs/${page}.md`);
  });

  it('keeps the two quick-start lines verbatim', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('finds the command lines of the docs', () => {
    expect(allCommands.length).toBeGreaterThan(40);
    const used = new Set(allCommands.map((c) => c.text.split(/\s+/).slice(1, 3).filter((t) => /^[a-z]/.test(t)).join(' ')));
    for (const sub of ['fit', 'cost', 'replay', 'simulate', 'report', 'train', 'laws fit', 'laws plan', 'laws skills']) {
      expect([...used].some((u) => u === sub || u.startsWith(`${sub} `)), sub).toBe(true);
    }
  });

  it('every `adomix …` line names a real subcommand and only options its --help lists', () => {
    expect(commandProblems(allCommands)).toEqual([]);
  });

  it('every `npm run bench -- <name>` names a benchmark in bench/', () => {
    expect(benchmarks.size).toBeGreaterThan(0);
    expect(docFiles.flatMap((f) => benchProblems(f, read(f)))).toEqual([]);
  });

  it('docs/benchmarks.md has a row for every benchmark, and only for those', () => {
    const rows = new Set([...read('docs/benchmarks.md').matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]));
    expect([...rows].sort()).toEqual([...benchmarks].sort());
  });

  it('every --flag in a subcommand\'s section of docs/cli.md is one of its options', () => {
    const cli = read('docs/cli.md');
    const wrong: string[] = [];
    for (const [, sub, body] of cli.matchAll(/^## adomix (\S+)\s*\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)) {
      const paths = NESTED[sub] ? NESTED[sub].map((s) => [sub, s]) : [[sub]];
      const known = new Set(paths.flatMap((p) => [...helpFlags(help(p) ?? '')]));
      for (const m of body.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) {
        if (!known.has(m[0])) wrong.push(`docs/cli.md, ## adomix ${sub}: ${m[0]} is not an option of adomix ${sub}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('docs/cli.md has a section per subcommand and mentions every option of it', () => {
    const cli = read('docs/cli.md');
    const top = help([]);
    expect(top).toBeDefined();
    const subcommands = [...helpCommands(top!)].filter((c) => c !== 'help');
    expect(subcommands.length).toBeGreaterThanOrEqual(7);
    const missing: string[] = [];
    for (const sub of subcommands) {
      const section = cli.split(new RegExp(`^## adomix ${sub}\\s*$`, 'm'))[1]?.split(/^## /m)[0];
      if (section === undefined) {
        missing.push(`docs/cli.md: no "## adomix ${sub}" section`);
        continue;
      }
      for (const path of NESTED[sub] ? NESTED[sub].map((s) => [sub, s]) : [[sub]]) {
        for (const flag of helpFlags(help(path) ?? '')) {
          if (flag !== '--help' && !new RegExp(`${flag}(?![\\w-])`).test(section)) missing.push(`docs/cli.md, adomix ${path.join(' ')}: ${flag} is not documented`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('links between the docs', () => {
  it('every relative link names a file that exists, and a heading in it', () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      const dir = new URL(file.includes('/') ? 'docs/' : './', root);
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const url = path === '' ? new URL(file, root) : new URL(path, dir);
        let text: string;
        try {
          text = readFileSync(url, 'utf8');
        } catch {
          broken.push(`${file}: (${target}): no such file`);
          continue;
        }
        if (anchor === undefined) continue;
        const anchors = new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));
        if (!anchors.has(anchor)) broken.push(`${file}: (${target}): no heading with anchor #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the checker itself fails on wrong docs', () => {
  const wrong = [
    '```sh',
    'adomix replay run.jsonl --out w.jsonl --polcy ado',
    'adomix train --steps 10',
    '             [--no-such-flag]',
    '$ adomix laws fit runs.csv --law x.json',
    'adomix frobnicate --json',
    'adomix laws refit runs.csv',
    '```',
    '',
    'Inline: `adomix fit run.jsonl --subsample 5 --windo 51`, and',
    '`npm run bench -- nonexistent --json`. Fine: `adomix <command> --help`, `adomix replay: 3 steps`,',
    '`adomix simulate --scenario NAME | --spec FILE`, `adomix fit x.jsonl | head -3`.',
  ].join('\n');

  it('reports each wrong flag, subcommand and benchmark, and nothing else', () => {
    const problems = [...commandProblems(findCommands('wrong.md', wrong)), ...benchProblems('wrong.md', wrong)];
    const expected = [
      /wrong\.md:2: .*"adomix replay" has no option --polcy/,
      /wrong\.md:3: .*"adomix train" has no option --no-such-flag/,
      /wrong\.md:5: .*"adomix laws fit" has no option --law/,
      /wrong\.md:6: .*no subcommand "adomix frobnicate"/,
      /wrong\.md:7: .*no subcommand "adomix laws refit"/,
      /wrong\.md:10: .*"adomix fit" has no option --windo/,
      /wrong\.md:11: npm run bench -- nonexistent: no benchmark/,
    ];
    expect(problems).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(problems[i]).toMatch(re));
  });
});
