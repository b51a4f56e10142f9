/**
 * Random-character domain: every symbol of the vocabulary independently and uniformly
 * at random. Nothing in it can be learned: the best possible loss is ln(96) ≈ 4.564 nats
 * per character, the loss of a model that predicts the uniform distribution, so its loss
 * curve is flat and every example spent on it is wasted.
 */
import type { Rng } from '../../random/index.js';
import { VOCAB_SIZE } from './vocab.js';

/** `length` uniformly random tokens. */
export function randomTokens(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(VOCAB_SIZE);
  return out;
}
