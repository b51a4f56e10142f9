/**
 * Structured-data domain: one JSON record per line with a fixed schema (id, name, email,
 * age, city, active, score, tags). Keys, quotes and punctuation repeat exactly; values
 * vary (names, numbers), so most of the text is predictable and some of it is not.
 */
import type { Rng } from '../../random/index.js';
import { between, chance, pick } from './pick.js';

const FIRST = ['maria', 'john', 'aiko', 'lars', 'fatima', 'chen', 'olga', 'pedro', 'amara', 'noah', 'lena', 'ravi', 'sofia', 'omar', 'ines', 'tomas'];
const LAST = ['lopez', 'smith', 'tanaka', 'berg', 'haddad', 'wang', 'petrova', 'silva', 'okafor', 'miller', 'novak', 'patel', 'rossi', 'kahn', 'costa', 'meyer'];
const CITIES = ['Lyon', 'Oslo', 'Kyoto', 'Lagos', 'Lima', 'Pune', 'Austin', 'Porto', 'Leeds', 'Graz', 'Quito', 'Busan'];
const DOMAINS = ['example.com', 'example.org', 'mail.test', 'corp.example'];
const TAGS = ['admin', 'beta', 'staff', 'guest', 'vip', 'trial', 'ops', 'dev'];

const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);

/** One record as a single line of JSON, ending with a newline. */
export function jsonRecord(rng: Rng): string {
  const first = pick(rng, FIRST);
  const last = pick(rng, LAST);
  const tags: string[] = [];
  const nTags = between(rng, 0, 3);
  while (tags.length < nTags) {
    const t = pick(rng, TAGS);
    if (!tags.includes(t)) tags.push(t);
  }
  const record = {
    id: between(rng, 1000, 99999),
    name: `${cap(first)} ${cap(last)}`,
    email: `${first}.${last}@${pick(rng, DOMAINS)}`,
    age: between(rng, 18, 90),
    city: pick(rng, CITIES),
    active: chance(rng, 0.7),
    score: Math.round(rng.next() * 1000) / 10,
    tags,
  };
  return JSON.stringify(record).replace(/,"/g, ', "').replace(/":/g, '": ') + '\n';
}
