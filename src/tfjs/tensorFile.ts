/**
 * Named tensors in one binary file, for checkpoints: the raw little-endian float32/int32
 * values back to back, described by a manifest kept in the checkpoint's JSON. Written
 * atomically (temporary file, fsync, rename) with its SHA-256 returned for the manifest,
 * checked on read (size, every record in range).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../runlog/index.js';
import { sha256Hex } from './runIdentity.js';

export interface TensorRecord {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset in the file. */
  offset: number;
  /** Number of values. */
  length: number;
}

export interface TensorManifest {
  file: string;
  bytes: number;
  tensors: TensorRecord[];
}

/** Writes `tensors` to `path` atomically; returns their records, the file's size and its SHA-256. */
export async function writeTensorFile(
  path: string,
  tensors: readonly { name: string; tensor: tf.Tensor }[],
): Promise<{ records: TensorRecord[]; bytes: number; sha256: string }> {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('tensor files are little-endian; this machine is big-endian');
  const records: TensorRecord[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new Error(`tensor file ${path}: ${name} has dtype ${tensor.dtype}; only float32 and int32 are stored`);
    const values = (await tensor.data()) as Float32Array | Int32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    parts.push(bytes);
    records.push({ name, shape: [...tensor.shape], dtype: tensor.dtype, offset, length: values.length });
    offset += bytes.byteLength;
  }
  const all = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  await writeFileAtomic(path, all);
  return { records, bytes: all.byteLength, sha256: sha256Hex(all) };
}

/** Reads the tensors `records` describe from `path` (new tensors; the caller disposes them). */
export async function readTensorFile(path: string, records: readonly TensorRecord[], expectedBytes?: number): Promise<Map<string, tf.Tensor>> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read tensor file ${path}: ${(err as Error).message}`);
  }
  return tensorsFromBytes(buf, records, path, expectedBytes);
}

/** The tensors `records` describe in the bytes of a tensor file (`path` names it in errors). */
export function tensorsFromBytes(buf: Uint8Array, records: readonly TensorRecord[], path: string, expectedBytes?: number): Map<string, tf.Tensor> {
  if (expectedBytes !== undefined && buf.byteLength !== expectedBytes) {
    throw new Error(`tensor file ${path}: ${buf.byteLength} bytes, the checkpoint says ${expectedBytes} (truncated or replaced?)`);
  }
  // Copy into an aligned buffer: Buffer slices may not be 4-byte aligned.
  const aligned = new Uint8Array(buf.byteLength);
  aligned.set(buf);
  const out = new Map<string, tf.Tensor>();
  for (const r of records) {
    const size = r.shape.reduce((a, b) => a * b, 1);
    if (size !== r.length || r.offset % 4 !== 0 || r.offset + r.length * 4 > aligned.byteLength || (r.dtype !== 'float32' && r.dtype !== 'int32')) {
      throw new Error(`tensor file ${path}: record ${r.name} (shape [${r.shape}], ${r.length} values at byte ${r.offset}) does not fit the file`);
    }
    const values = r.dtype === 'float32' ? new Float32Array(aligned.buffer, r.offset, r.length) : new Int32Array(aligned.buffer, r.offset, r.length);
    out.set(r.name, tf.tensor(values, r.shape, r.dtype));
  }
  return out;
}
