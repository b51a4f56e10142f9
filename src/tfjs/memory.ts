/**
 * Does a training step fit the backend? A batch too large for the backend fails deep inside
 * a kernel ("memory access out of bounds" on wasm, a lost device on WebGPU); this checks the
 * step's tensors against what the backend can address first, and says how large a batch fits.
 *
 * A task states what one example costs (`StepMemory`, linear in the batch size); the
 * backend's limits come from `backendMemoryLimits`.
 */
import * as tf from '@tensorflow/tfjs';
import { totalmem } from 'node:os';
import { formatBytes } from '../runlog/index.js';

/** What one example of a batch costs a training step, in bytes. */
export interface StepMemory {
  /** Bytes per example of the largest single tensor of the step. */
  largestTensorPerExample: number;
  /** What that tensor is, for messages ("the one-hot input, 16·16 rows × 96 values"). */
  largestTensorName: string;
  /** Bytes per example of every tensor alive at the step's peak (forward + backward). */
  stepPerExample: number;
}

/** What the active backend can hold. */
export interface MemoryLimits {
  backend: string;
  /** Largest single tensor, bytes. */
  tensorBytes: number;
  /** All tensors together, bytes. */
  totalBytes: number;
  /** The limits in words, and where they come from. */
  why: string;
}

const GiB = 1024 ** 3;

/**
 * wasm: kernels index the heap with signed 32-bit byte offsets (2 GiB per tensor) and the
 * heap stops at 4 GiB, of which about 2.5 GiB of a step's tensors fit in practice (measured
 * with the built-in model: a batch of 7,000, 2.42 GiB by `charLMStepMemory`, trains; one of
 * 8,000, 2.76 GiB, aborts when malloc fails); webgpu: the adapter's storage-buffer limits;
 * cpu and tensorflow: the machine's memory (and V8's typed arrays: 2^32 elements).
 */
export function backendMemoryLimits(backend = tf.getBackend()): MemoryLimits {
  if (backend === 'wasm') return { backend, tensorBytes: 2 * GiB, totalBytes: 2.5 * GiB, why: '2 GiB per tensor, about 2.5 GiB in all in wasm32\'s 4 GiB heap' };
  if (backend === 'webgpu') {
    const limits = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number } } }).device?.limits;
    const tensorBytes = Math.min(limits?.maxStorageBufferBindingSize ?? 128 * 1024 ** 2, limits?.maxBufferSize ?? Infinity);
    return { backend, tensorBytes, totalBytes: Infinity, why: `${formatBytes(tensorBytes)} per tensor, the adapter's maxStorageBufferBindingSize` };
  }
  const total = totalmem();
  return { backend, tensorBytes: Math.min(total, 4 * 2 ** 32), totalBytes: total, why: `${formatBytes(total)} in all, this machine's memory` };
}

/** Throws, saying what does not fit and the largest batch that would, when `batchSize` examples are too many. */
export function checkBatchFits(batchSize: number, cost: StepMemory, limits: MemoryLimits): void {
  const largest = batchSize * cost.largestTensorPerExample;
  const step = batchSize * cost.stepPerExample;
  if (largest <= limits.tensorBytes && step <= limits.totalBytes) return;
  const fits = Math.max(1, Math.floor(Math.min(limits.tensorBytes / cost.largestTensorPerExample, limits.totalBytes / cost.stepPerExample)));
  const what =
    largest > limits.tensorBytes
      ? `its largest tensor (${cost.largestTensorName}) needs ${formatBytes(largest)}`
      : `its step needs about ${formatBytes(step)} of tensors`;
  throw new Error(
    `batch size ${batchSize} does not fit the ${limits.backend} backend: ${what} (its limit: ${limits.why}); ` +
      `use a batch size of at most ${fits}${limits.backend === 'wasm' ? ', or a GPU backend' : ''}`,
  );
}
