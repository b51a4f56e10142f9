/**
 * What the documentation says you can type: `adomix …` command lines and
 * `npm run bench -- <name>` mentions in README.md and docs/*.md, found in fenced code blocks
 * and in inline code, and checked against the built CLI's --help and bench/.
 */

/** A command line found in a document. */
export interface DocCommand {
  /** `README.md:12` */
  where: string;
  /** The command as written, from `adomix` on (continuation lines joined). */
  text: string;
}

/** `npm run bench -- <name>` found in a document. */
export interface DocBench {
  where: string;
  name: string;
}

/** `adomix …` at the start of a line (after a `$ ` prompt, `npx ` and `VAR=value` assignments). */
const COMMAND_START = /^(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:npx\s+)?(adomix(?:\s.*)?)$/;

/**
 * The command part of a shell line: up to a comment, `&&`, `;`, a redirect, or a pipe into
 * another program (`| head`; in a synopsis `--a X | --b Y` is an alternative and stays).
 */
function commandPart(text: string): string {
  const cut = text.search(/\s#\s|\s#$|\s&&\s|;\s|\s\|\s+(?!-)\w|\s>\s?/);
  return (cut < 0 ? text : text.slice(0, cut)).trim();
}

/** Inline code spans of a paragraph (`x`, ``x``, across its line breaks) and the line each starts on. */
function inlineSpans(paragraph: { text: string; no: number }): { span: string; no: number }[] {
  return [...paragraph.text.matchAll(/(`+)([^`]+?)\1(?!`)/g)].map((m) => ({
    span: m[2].replace(/\s+/g, ' ').trim(),
    no: paragraph.no + (paragraph.text.slice(0, m.index).match(/\n/g)?.length ?? 0),
  }));
}

/** The paragraphs of the prose lines (blank lines separate them), lines kept apart by newlines. */
function paragraphs(lines: { text: string; no: number }[]): { text: string; no: number }[] {
  const out: { text: string; no: number }[] = [];
  let cur: { text: string; no: number } | undefined;
  for (const l of lines) {
    if (l.text.trim() === '') {
      if (cur) out.push(cur);
      cur = undefined;
    } else if (cur) cur.text += `\n${l.text}`;
    else cur = { text: l.text, no: l.no };
  }
  if (cur) out.push(cur);
  return out;
}

/** Every `adomix …` command line of a Markdown document. */
export function findCommands(file: string, markdown: string): DocCommand[] {
  const lines = markdown.split('\n');
  const found: DocCommand[] = [];
  const prose: { text: string; no: number }[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fenceMark = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fenceMark !== undefined) {
      if (fence === undefined) fence = fenceMark;
      else if (fenceMark.startsWith(fence)) fence = undefined;
      prose.push({ text: '', no: i + 1 });
      continue;
    }
    if (fence === undefined) {
      prose.push({ text: line, no: i + 1 });
      continue;
    }
    const m = COMMAND_START.exec(line.trim());
    if (m === null) continue;
    // A synopsis or a long command continues on indented lines (or after a backslash).
    const start = i + 1;
    let text = m[1];
    while (i + 1 < lines.length && (text.endsWith('\\') || /^\s+[[\-<|]/.test(lines[i + 1]))) {
      text = `${text.replace(/\\$/, '')} ${lines[++i].trim()}`;
    }
    found.push({ where: `${file}:${start}`, text: commandPart(text) });
  }
  for (const p of paragraphs(prose)) {
    for (const { span, no } of inlineSpans(p)) {
      const m = COMMAND_START.exec(span);
      if (m !== null) found.push({ where: `${file}:${no}`, text: commandPart(m[1]) });
    }
  }
  return found;
}

/** Every `npm run bench -- <name>` of a document (code or prose). */
export function findBenches(file: string, markdown: string): DocBench[] {
  const out: DocBench[] = [];
  markdown.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/npm run bench --\s+(\S+)/g)) {
      const name = m[1].replace(/[`'",.;:)]+$/, '');
      if (!/^<.*>$/.test(name)) out.push({ where: `${file}:${i + 1}`, name });
    }
  });
  return out;
}

/** What a command line asks for: the subcommand path (e.g. `laws fit`) and its --flags. */
export interface ParsedCommand {
  /** [] for `adomix --help`; ['fit']; ['laws', 'plan']; a `<placeholder>` kept as written. */
  path: string[];
  flags: string[];
}

/** Subcommands that have subcommands of their own. */
export const NESTED: Record<string, readonly string[]> = { laws: ['fit', 'plan', 'skills'], schedule: ['export'] };

const WORD = /^[a-z][a-z0-9-]*$/;
const PLACEHOLDER = /^<[^>]+>$/;

/**
 * The subcommand path and flags of `adomix …`; undefined when the line is not a command
 * (e.g. output such as `adomix replay: 3000 steps replayed`).
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const tokens = text.split(/\s+/).slice(1);
  const path: string[] = [];
  const first = tokens[0];
  if (first !== undefined && !first.startsWith('-')) {
    if (!WORD.test(first) && !PLACEHOLDER.test(first)) return undefined;
    path.push(first);
    const second = tokens[1];
    if (NESTED[first] !== undefined && second !== undefined && (WORD.test(second) || PLACEHOLDER.test(second)) && !second.startsWith('-')) {
      path.push(second);
    }
  }
  const flags = [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
  return { path, flags };
}

/**
 * The options a `--help` defines: the `  -x, --flag <arg>` lines of its option list (not
 * flags its descriptions mention, which may belong to other commands).
 */
export function helpFlags(help: string): Set<string> {
  return new Set([...help.matchAll(/^ {2}(?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]));
}

/** The subcommands a `--help` lists under "Commands:". */
export function helpCommands(help: string): Set<string> {
  const section = help.split(/^Commands:\s*$/m)[1] ?? '';
  return new Set([...section.matchAll(/^ {2}([a-z][a-z0-9-]*)\b/gm)].map((m) => m[1]));
}

/**
 * Problems with one documented command, given a function answering `adomix <path> --help`
 * (its text, or undefined when there is no such command).
 */
export function checkCommand(cmd: DocCommand, help: (path: string[]) => string | undefined): string[] {
  const parsed = parseCommand(cmd.text);
  if (parsed === undefined) return [];
  // A placeholder (`adomix <command> --help`) stands for any subcommand: only the options of its parent apply.
  const placeholder = parsed.path.findIndex((p) => PLACEHOLDER.test(p));
  const path = placeholder < 0 ? parsed.path : parsed.path.slice(0, placeholder);
  for (let depth = 1; depth <= path.length; depth++) {
    const parent = help(path.slice(0, depth - 1));
    if (parent === undefined || !helpCommands(parent).has(path[depth - 1])) {
      return [`${cmd.where}: \`${cmd.text}\`: no subcommand "adomix ${path.slice(0, depth).join(' ')}"`];
    }
  }
  const text = help(path);
  if (text === undefined) return [`${cmd.where}: \`${cmd.text}\`: "adomix ${path.join(' ')} --help" failed`];
  const known = helpFlags(text);
  return parsed.flags
    .filter((f) => !known.has(f))
    .map((f) => `${cmd.where}: \`${cmd.text}\`: "adomix ${path.join(' ')}" has no option ${f}`);
}
