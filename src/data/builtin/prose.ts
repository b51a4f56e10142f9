/**
 * English-prose domain: sentences from a small phrase-structure grammar (noun phrases with
 * determiners and adjectives, transitive and intransitive verbs, prepositional phrases,
 * subordinate clauses), grouped into paragraphs. Lower-case words, spaces and punctuation:
 * the statistics of ordinary English text.
 */
import type { Rng } from '../../random/index.js';
import { between, chance, pick } from './pick.js';

const DETS = ['the', 'a', 'every', 'one', 'that', 'this', 'our', 'her', 'his', 'no'];
const ADJS = ['quiet', 'old', 'young', 'bright', 'small', 'heavy', 'careful', 'strange', 'distant', 'patient', 'green', 'tired', 'honest', 'curious', 'narrow', 'warm'];
const NOUNS = ['engineer', 'river', 'station', 'teacher', 'garden', 'letter', 'window', 'village', 'doctor', 'storm', 'machine', 'child', 'market', 'bridge', 'painter', 'forest', 'train', 'lamp', 'farmer', 'book'];
const TVERBS = ['watched', 'found', 'carried', 'repaired', 'followed', 'opened', 'described', 'remembered', 'painted', 'crossed', 'visited', 'answered', 'lost', 'built'];
const IVERBS = ['waited', 'slept', 'laughed', 'arrived', 'disappeared', 'listened', 'worked', 'returned', 'wandered', 'spoke'];
const ADVS = ['slowly', 'quietly', 'again', 'early', 'at last', 'without a word', 'for a while', 'all night'];
const PREPS = ['near', 'behind', 'across', 'under', 'beside', 'toward', 'inside', 'past'];
const CONJ = ['because', 'while', 'after', 'before', 'although', 'when'];
const OPENERS = ['In the morning', 'Later that day', 'Years ago', 'By evening', 'Meanwhile', 'Once again', 'In the end'];

function nounPhrase(rng: Rng): string {
  const adj = chance(rng, 0.5) ? pick(rng, ADJS) + ' ' : '';
  const np = `${pick(rng, DETS)} ${adj}${pick(rng, NOUNS)}`;
  return chance(rng, 0.2) ? `${np} ${pick(rng, PREPS)} ${pick(rng, DETS)} ${pick(rng, NOUNS)}` : np;
}

function clause(rng: Rng): string {
  if (chance(rng, 0.6)) return `${nounPhrase(rng)} ${pick(rng, TVERBS)} ${nounPhrase(rng)}`;
  return `${nounPhrase(rng)} ${pick(rng, IVERBS)} ${pick(rng, ADVS)}`;
}

/** One sentence with its final punctuation. */
export function proseSentence(rng: Rng): string {
  let s = clause(rng);
  const r = rng.next();
  if (r < 0.3) s += ` ${pick(rng, CONJ)} ${clause(rng)}`;
  else if (r < 0.5) s += `, and ${clause(rng)}`;
  else if (r < 0.65) s += ` ${pick(rng, PREPS)} ${nounPhrase(rng)}`;
  if (chance(rng, 0.15)) s = `${pick(rng, OPENERS)}, ${s}`;
  s = s[0].toUpperCase() + s.slice(1);
  return s + (chance(rng, 0.08) ? '!' : chance(rng, 0.08) ? '?' : '.');
}

/** A paragraph of 3–6 sentences, ending with a newline. */
export function proseParagraph(rng: Rng): string {
  const n = between(rng, 3, 6);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) sentences.push(proseSentence(rng));
  return sentences.join(' ') + '\n';
}
