/**
 * The manifest: a JSON file that lists a corpus's domains (zod, strict: an unknown field is
 * an error naming its path and the field it was probably meant to be).
 *
 *   {
 *     "domains": [
 *       {"name": "code", "files": ["src/**\/*.ts", "more/lib.jsonl.gz"], "textField": "content",
 *        "heldOut": ["val/*.ts"], "maxTokens": 1000000, "maxFiles": 500},
 *       {"name": "prose", "files": ["books/"], "heldOut": 0.02},
 *       {"name": "docs", "files": ["docs/**\/*.md"], "heldOut": {"files": 0.05}}
 *     ],
 *     "prior": {"code": 0.3, "prose": 0.7},      // or [0.3, 0.7]; normalised; default: token shares
 *     "heldOut": 0.01, "textField": "text",      // defaults for every domain
 *     "tokenizer": "gpt2", "vocabSize": 50257    // what the corpus is for (vocabSize: pre-tokenised .bin)
 *   }
 *
 * A domain's `heldOut` is the fraction held out from the end of its stream, a list of
 * separate held-out files, or `{"files": f}`: a share f of its own files, drawn by a hash of
 * each file's path (heldOutFiles.ts). Paths and globs are relative to the manifest's folder; a
 * folder stands for every corpus file under it.
 */
import { z } from 'zod';
import { integer, mustBe, pathText, strictObject } from '../../mixing/schemaText.js';

const fraction = z
  .number({ error: mustBe('a fraction in [0, 1)') })
  .refine((x) => Number.isFinite(x) && x >= 0 && x < 1, { error: mustBe('a fraction in [0, 1)') });
const paths = z
  .array(z.string({ error: mustBe('a path or glob (a string)') }).min(1, { error: 'must be a path or glob, got ""' }), { error: mustBe('a list of paths or globs') })
  .min(1, { error: 'must list at least one path or glob' });
const fileShare = strictObject({
  files: z
    .number({ error: mustBe('a share of the files in (0, 1)') })
    .refine((x) => Number.isFinite(x) && x > 0 && x < 1, { error: mustBe('a share of the files in (0, 1)') }),
});
const weight = z.number({ error: mustBe('a weight ≥ 0') }).refine((x) => Number.isFinite(x) && x >= 0, { error: mustBe('a weight ≥ 0') });
const fieldName = z.string({ error: mustBe('a field name (a string)') }).min(1, { error: 'must be a field name, got ""' });

const domainSchema = strictObject({
  name: z.string({ error: mustBe('a domain name (a string)') }).min(1, { error: 'must be a domain name, got ""' }),
  files: paths,
  heldOut: z.union([fraction, paths, fileShare], { error: mustBe('a fraction in [0, 1), a list of held-out paths or globs, or {"files": share}') }).optional(),
  textField: fieldName.optional(),
  maxTokens: integer(1).optional(),
  maxFiles: integer(1).optional(),
});

export const manifestSchema = strictObject({
  domains: z.array(domainSchema, { error: mustBe('a list of domains') }).min(1, { error: 'must list at least one domain' }),
  prior: z.union([z.array(weight), z.record(z.string(), weight)], { error: mustBe('a list of weights, or an object of weights by domain name') }).optional(),
  heldOut: fraction.optional(),
  textField: fieldName.optional(),
  tokenizer: z.enum(['byte', 'gpt2'], { error: mustBe('"byte" or "gpt2"') }).optional(),
  vocabSize: integer(1)
    .refine((n) => n <= 2 ** 32, { error: mustBe('at most 2^32') })
    .optional(),
});

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestDomain = Manifest['domains'][number];

/**
 * `corpus.json: unknown field "domains[0].fils" (did you mean "domains[0].files"?)` or
 * `corpus.json: domains[1].maxTokens must be an integer ≥ 1, got 0`: the first issue (an
 * unknown field first: a typo explains the rest), else the shallowest.
 */
export function manifestIssueText(file: string, error: z.ZodError): string {
  const issues = error.issues;
  const iss = issues.find((i) => i.code === 'unrecognized_keys') ?? issues.reduce((a, b) => (b.path.length < a.path.length ? b : a));
  if (iss.code === 'unrecognized_keys') return `${file}: unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.message}`;
  const path = pathText(iss.path);
  return `${file}: ${path ? `${path} ` : ''}${iss.message}`;
}

/** `corpus.json:3:14: not valid JSON (…)`: a JSON.parse error with its line and column. */
export function jsonSyntaxText(file: string, text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /position (\d+)/.exec(message);
  if (at === null) return `${file}: not valid JSON (${message})`;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${file}:${line}:${column}: not valid JSON (${message})`;
}
