/**
 * Column (or tag) patterns: a regular expression whose first capture group is the domain
 * name, searched in each name as grep does (`train/loss_(.*)` finds "code" in
 * `run-7 - train/loss_code`; anchor it with ^ and $ to match whole names).
 */
import { StepLogError } from '../runlog/index.js';

/** One name a pattern matched, and the domain its first group gave. */
export interface PatternMatch {
  /** Position of the name in the list matched (a column index, a series index). */
  index: number;
  name: string;
  domain: string;
}

/** Compiles `--loss-columns` and the like; throws naming the option when it cannot be one. */
export function compilePattern(source: string, option: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    throw new Error(`${option} ${JSON.stringify(source)} is not a regular expression: ${(err as Error).message}`);
  }
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups < 1)
    throw new Error(`${option} ${JSON.stringify(source)} has no capture group: put the part that names the domain in parentheses, e.g. 'train/loss_(.*)'`);
  return re;
}

/** `"a", "b", "c" and 4 more`: names for messages. */
export function listNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/**
 * The names `re` matches (skipping those `skip` says), each with its domain. Two names
 * giving one domain, or a match whose group is empty, is an error naming them.
 */
export function matchNames(
  names: readonly string[],
  re: RegExp,
  option: string,
  what: string,
  file: string,
  skip: (name: string, index: number) => boolean = () => false,
): PatternMatch[] {
  const out: PatternMatch[] = [];
  const byDomain = new Map<string, string>();
  names.forEach((name, index) => {
    if (skip(name, index)) return;
    const m = re.exec(name);
    if (m === null) return;
    const domain = m[1];
    if (domain === undefined || domain === '')
      throw new StepLogError(`${file}: ${option} ${JSON.stringify(re.source)} matches ${what} ${JSON.stringify(name)} but its first group is empty: a domain needs a name`, file, undefined);
    const first = byDomain.get(domain);
    if (first !== undefined)
      throw new StepLogError(`${file}: ${what}s ${JSON.stringify(first)} and ${JSON.stringify(name)} both give domain ${JSON.stringify(domain)} (${option} ${JSON.stringify(re.source)}); make the pattern tell them apart`, file, undefined);
    byDomain.set(domain, name);
    out.push({ index, name, domain });
  });
  return out;
}
