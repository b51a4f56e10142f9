/**
 * `npm run bench -- gpu [--json] [--steps N] [--block N] [--backend tensorflow|webgpu] [--batch N]
 *   [--model gpt|mlp] [--context N] [--layers N] [--heads N] [--width N] [--hidden N] [--embedding N]`
 *
 * What ADO costs a training step on a GPU: the `train-overhead` measurement (static natural
 * mixture vs ADO, interleaved in one process) on a GPU backend and a model big enough for
 * the GPU to matter: by default the GPT (context 256, 6 blocks of width 512 and 8 heads,
 * ≈ 19M parameters over the built-in corpus's 96 characters, batch 32: 8,192 tokens a step);
 * `--model mlp` is the char MLP of earlier runs (≈ 21M parameters, batch 512). GPU backends, in order: tensorflow
 * (`@tensorflow/tfjs-node-gpu`, CUDA 11.2) and webgpu (Dawn over Vulkan). Without one it
 * says so and exits 0.
 *
 * Last line: {"bench":"gpu","backend":…,"device":…,"msPerStepStatic":…,"msPerStepAdo":…,"ratio":…}
 */
import type { BenchArgs } from './run.js';
import { measureMixOverhead } from './_mixOverhead.js';
import { intOption } from './_util.js';
import { describeBackend, selectBackend, type BackendChoice } from '../src/tfjs/backend.js';

const GPU_BACKENDS = ['tensorflow', 'webgpu'];

/** The first GPU backend that runs, or the reasons none did. */
async function selectGpuBackend(requested?: string): Promise<BackendChoice | string> {
  const reasons: string[] = [];
  for (const name of requested !== undefined ? [requested] : GPU_BACKENDS) {
    try {
      const choice = await selectBackend({ backend: name, strict: true });
      // libtensorflow without CUDA (@tensorflow/tfjs-node) is a CPU backend.
      if (choice.name !== 'tensorflow' || choice.detail.includes('tfjs-node-gpu')) return choice;
      reasons.push(`tensorflow runs on the CPU (${choice.detail})`);
    } catch (err) {
      reasons.push(err instanceof Error ? err.message : String(err));
    }
  }
  return reasons.join('; ');
}

export async function run(args: BenchArgs): Promise<void> {
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  const requested = args.options.backend;
  if (requested !== undefined && !GPU_BACKENDS.includes(requested)) {
    throw new Error(`--backend must be a GPU backend (${GPU_BACKENDS.join(' or ')}), got ${requested}`);
  }
  const backend = await selectGpuBackend(requested);
  if (typeof backend === 'string') {
    say(`gpu: no GPU backend runs on this machine (${backend}); nothing to measure.`);
    process.stdout.write(`${JSON.stringify({ bench: 'gpu', backend: null, device: null, gpu: false, reason: backend })}\n`);
    return;
  }
  say(`gpu: ${describeBackend(backend)}`);
  const figures = await measureMixOverhead({
    backend,
    steps: intOption(args, 'steps', 300),
    block: intOption(args, 'block', 20),
    scheduleSteps: intOption(args, 'schedule-steps', 1500),
    model:
      args.options.model === 'mlp'
        ? { kind: 'mlp', context: intOption(args, 'context', 64), embedding: intOption(args, 'embedding', 64), hidden: intOption(args, 'hidden', 2048), layers: intOption(args, 'layers', 4) }
        : { kind: 'gpt', context: intOption(args, 'context', 256), layers: intOption(args, 'layers', 6), heads: intOption(args, 'heads', 8), width: intOption(args, 'width', 512) },
    batchSize: intOption(args, 'batch', args.options.model === 'mlp' ? 512 : 32),
    say,
  });
  const { backend: name, ...rest } = figures;
  const result = { bench: 'gpu', backend: name, device: backend.detail, gpu: true, ...rest };
  if (!args.json) {
    say(`static natural: ${result.msPerStepStatic} ms/step   ADO: ${result.msPerStepAdo} ms/step   ratio ${result.ratio}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
