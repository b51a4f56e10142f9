/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR
 * 0xFFFFFFFF), the checksum of TFRecord framing, table-driven one byte at a time.
 * Check value: CRC32C("123456789") = 0xE3069283 (RFC 3720, appendix B.4).
 *
 * TFRecord stores the CRC "masked" so that a CRC of data that itself holds CRCs stays
 * well-distributed: rotate right by 15 bits, add 0xA282EAD8 (mod 2^32).
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `bytes[start, end)` as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked form of a CRC: ((crc >>> 15) | (crc << 17)) + 0xA282EAD8, mod 2^32. */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** `0x0000ABCD`: a 32-bit value for messages. */
export function hex32(x: number): string {
  return `0x${(x >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
