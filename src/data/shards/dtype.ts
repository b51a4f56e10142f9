/**
 * How token ids are stored: flat little-endian unsigned integers, nanoGPT's `train.bin`
 * layout (np.memmap(path, dtype=np.uint16) reads a shard), 2 bytes per token while the
 * vocabulary fits in 16 bits, 4 above.
 */
import { endianness } from 'node:os';

export type TokenDtype = 'uint16' | 'uint32';

/** The dtype for ids in [0, vocabSize). */
export function dtypeFor(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

export function bytesPerToken(dtype: TokenDtype): 2 | 4 {
  return dtype === 'uint16' ? 2 : 4;
}

/** Typed arrays use the host's byte order; shards are little-endian, so big-endian hosts swap. */
export const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Swaps the first `length` bytes of `bytes` in place between host order and little-endian:
 * a no-op (and no allocation) on little-endian hosts.
 */
export function swapLittleEndian(bytes: Uint8Array, length: number, dtype: TokenDtype): void {
  if (HOST_IS_LITTLE_ENDIAN) return;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, length);
  if (dtype === 'uint16') view.swap16();
  else view.swap32();
}
