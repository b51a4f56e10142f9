/**
 * The character vocabulary of the built-in corpus: newline plus the 95 printable ASCII
 * characters (space … tilde), 96 symbols in all. Token 0 is '\n', token c − 31 is the
 * printable character with code c.
 */

/** Number of symbols: '\n' and the 95 printable ASCII characters. */
export const VOCAB_SIZE = 96;

/** Encodes text into tokens; throws naming the first character outside the vocabulary. */
export function encodeText(text: string, what = 'text'): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out[i] = 0;
    else if (c >= 32 && c <= 126) out[i] = c - 31;
    else throw new Error(`${what}: character ${JSON.stringify(text[i])} (code ${c}) at offset ${i} is outside the vocabulary (newline and printable ASCII)`);
  }
  return out;
}

/** Decodes tokens back into text. */
export function decodeTokens(tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= VOCAB_SIZE) throw new Error(`decodeTokens: token ${t} at ${i} is outside [0, ${VOCAB_SIZE})`);
    s += t === 0 ? '\n' : String.fromCharCode(t + 31);
  }
  return s;
}
