/**
 * Where a long text may be cut so that encoding the two halves apart gives exactly the
 * tokens of encoding it whole, for GPT-2's pre-tokeniser
 *
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *
 * BPE merges never cross a pre-token, so a cut is safe when it falls on a pre-token
 * boundary that both halves see the same way. Before a single space or newline c between
 * two non-whitespace characters X c Y it does: X's pre-token cannot run into whitespace, and
 * c starts the next one (" Y…" or "\n"), which the second half, starting at c, finds
 * identically. A cut inside a run of whitespace is not safe: "a\n\nb" is "a","\n","\n","b"
 * whole but "a","\n\n" + … cut after the run (the `\s+(?!\S)` look-ahead sees the end).
 */

/** Whitespace for the neighbours' test: JavaScript's `\s` plus U+001C–U+001F and U+0085, which Python's `\s` adds (a superset is safe). */
function isSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    (c >= 0x1c && c <= 0x1f) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The last index i ≥ `from` (and < text.length − 1) where `text` may be cut into
 * text[0, i) + text[i, …): text[i] is a space or newline, text[i−1] and text[i+1] are not
 * whitespace. −1 when there is none.
 */
export function lastSafeCut(text: string, from = 1): number {
  for (let i = text.length - 2; i >= Math.max(1, from); i--) {
    const c = text.charCodeAt(i);
    if ((c === 0x20 || c === 0x0a) && !isSpace(text.charCodeAt(i - 1)) && !isSpace(text.charCodeAt(i + 1))) return i;
  }
  return -1;
}

/** `at`, moved back one if it would split a surrogate pair (the forced cut of a text with no safe cut). */
export function charBoundary(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return at > 0 && c >= 0xdc00 && c <= 0xdfff ? at - 1 : at;
}
