/**
 * The held-out split of a domain. By default it is the tail of the domain's token stream:
 *
 *   heldOut = max(minTokens, round(fraction · n)),  train = n − heldOut   (fraction > 0)
 *
 * so that each split holds at least one window (minTokens = the caller's window length), and
 * fraction 0 means no held-out split. The tail, not a random sample: it is one contiguous
 * range (windows never straddle the two splits) and it is where a corpus sorted by path
 * keeps its last files, unseen in training. Separate held-out files replace the tail rule.
 */
import { CorpusError } from '../errors.js';
import type { SplitRule, TokenRange } from '../shards/index.js';

export interface Split {
  rule: SplitRule;
  train: TokenRange;
  heldOut: TokenRange;
}

/** The tail split of a stream of n tokens; errors name the domain, its tokens and what it needs. */
export function tailSplit(domain: string, n: number, fraction: number, minTokens: number): Split {
  const rule: SplitRule = { rule: 'tail', fraction, minTokens };
  if (fraction === 0) {
    if (n < minTokens) throw tooFew(domain, `has ${n} tokens`, minTokens);
    return { rule, train: { start: 0, end: n }, heldOut: { start: n, end: n } };
  }
  const heldOut = Math.max(minTokens, Math.round(fraction * n));
  if (n - heldOut < minTokens) {
    throw new CorpusError(
      `domain "${domain}" has ${n} tokens, too few for a training split and a held-out split of at least one window (${minTokens} tokens) each: it needs ${heldOut + minTokens} (held out: ${heldOut}, fraction ${fraction})`,
      { domain },
    );
  }
  return { rule, train: { start: 0, end: n - heldOut }, heldOut: { start: n - heldOut, end: n } };
}

/** The split of a domain with held-out files: all of the stream trains, all of the held-out stream evaluates. */
export function filesSplit(domain: string, trainTokens: number, heldOutTokens: number, minTokens: number): Split {
  if (trainTokens < minTokens) throw tooFew(domain, `has ${trainTokens} training tokens`, minTokens);
  if (heldOutTokens < minTokens) throw tooFew(domain, `has ${heldOutTokens} tokens in its held-out files`, minTokens);
  return { rule: { rule: 'files' }, train: { start: 0, end: trainTokens }, heldOut: { start: 0, end: heldOutTokens } };
}

function tooFew(domain: string, has: string, minTokens: number): CorpusError {
  return new CorpusError(`domain "${domain}" ${has}, fewer than one window needs (${minTokens} tokens, minTokens)`, { domain });
}
