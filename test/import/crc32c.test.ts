import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c } from '../../src/import/crc32c.js';
import { startsWithTfRecord } from '../../src/import/detect.js';

const FIXTURE = new URL('../fixtures/import/tensorboard-reducer/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0', import.meta.url);

describe('crc32c', () => {
  it('gives the published check value CRC32C("123456789") = 0xE3069283', () => {
    expect(crc32c(Buffer.from('123456789', 'ascii'))).toBe(0xe3069283);
  });

  it('matches the test vectors of RFC 3720 (iSCSI), appendix B.4', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('of the empty input is 0, and a range of a buffer is the CRC of that slice', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    const b = Buffer.from('xx123456789yy', 'ascii');
    expect(crc32c(b, 2, 11)).toBe(0xe3069283);
  });

  it('masks as TFRecord does, and a real event file\'s first header checks out', () => {
    // mask(c) = rotr15(c) + 0xA282EAD8
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskCrc32c(0xe3069283)).toBe((((0xe3069283 >>> 15) | (0xe3069283 << 17)) + 0xa282ead8) >>> 0);
    const bytes = readFileSync(FIXTURE);
    expect(startsWithTfRecord(bytes)).toBe(true);
    expect(maskCrc32c(crc32c(bytes, 0, 8))).toBe(bytes.readUInt32LE(8));
    expect(startsWithTfRecord(Buffer.from('step,domain,loss,count\n0,a,1,1\n'))).toBe(false);
  });
});
