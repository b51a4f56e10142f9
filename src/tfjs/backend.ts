/**
 * Run-time choice of the TensorFlow.js backend.
 *
 * Order (first that loads and initialises wins): `tensorflow` (libtensorflow through
 * `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`) → `webgpu` (when a loader is
 * registered for it) → `wasm` (`@tensorflow/tfjs-backend-wasm`, a dependency, so always
 * there) → `cpu` (plain JavaScript, always there, slow).
 *
 * An explicit choice (option, or the `ADOMIX_BACKEND` environment variable) is tried
 * first; if it cannot run, selection falls back down the order and says why, unless
 * `strict` is set. Traps handled here:
 * - importing a native backend can fail with any error (missing shared library, wrong
 *   CUDA), not only MODULE_NOT_FOUND: every failure is caught and reported;
 * - `tf.setBackend` returns false on a failed initialisation but leaves that name set, so
 *   after a failure the next candidate is always set explicitly;
 * - a native package may bring its own copy of tfjs-core and register its backend there:
 *   then the name never appears in our registry and it counts as a failure;
 * - the wasm backend in Node needs its `.wasm` files: their folder is resolved from the
 *   installed package and given to `setWasmPaths` before the first initialisation.
 *
 * More backends (e.g. WebGPU over Dawn) plug in with `registerBackendLoader`.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { importOptional, type BackendLoader } from './backendLoader.js';
import { webgpuLoader } from './webgpu.js';

export type { BackendLoader, BackendName } from './backendLoader.js';

/** The default try order. */
export const BACKEND_ORDER: readonly string[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Environment variable naming the backend to use (`auto` or empty: the default order). */
export const BACKEND_ENV = 'ADOMIX_BACKEND';

const loaders = new Map<string, BackendLoader>();

/** Adds (or replaces) the loader of a backend; the name is tried at its place in BACKEND_ORDER, or just before `wasm` when not listed. */
export function registerBackendLoader(name: string, loader: BackendLoader): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`registerBackendLoader: backend name must be lower-case letters, digits, dashes; got ${JSON.stringify(name)}`);
  loaders.set(name, loader);
}

/** Names with a loader, in try order. */
export function knownBackends(): string[] {
  const extra = [...loaders.keys()].filter((n) => !BACKEND_ORDER.includes(n));
  const order = [...BACKEND_ORDER];
  order.splice(order.indexOf('wasm'), 0, ...extra);
  return order.filter((n) => loaders.has(n));
}

const requireHere = createRequire(import.meta.url);

function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  // Native load errors can be long; the first line says what failed.
  return m.split('\n')[0].slice(0, 300);
}

registerBackendLoader('tensorflow', {
  async load() {
    const reasons: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await importOptional(pkg);
      } catch (err) {
        const code = (err as { code?: string }).code;
        reasons.push(`${pkg}: ${code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? 'not installed' : messageOf(err)}`);
        continue;
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        reasons.push(`${pkg}: loaded, but registered its backend with another copy of @tensorflow/tfjs-core`);
        continue;
      }
      return { tfName: 'tensorflow', detail: pkg };
    }
    throw new Error(reasons.join('; '));
  },
});

let wasmPathsSet = false;

registerBackendLoader('wasm', {
  async load() {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasmPathsSet = true;
      // The package's CommonJS entry lives in dist/, next to the .wasm binaries. Once the
      // backend has initialised (or failed to) the paths are fixed and this throws: harmless.
      const dist = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm'));
      try {
        wasm.setWasmPaths(join(dist, '/'));
      } catch {
        /* already initialised */
      }
    }
    return { tfName: 'wasm', detail: '@tensorflow/tfjs-backend-wasm' };
  },
});

registerBackendLoader('webgpu', webgpuLoader);

registerBackendLoader('cpu', {
  async load() {
    return { tfName: 'cpu', detail: 'plain JavaScript (slow)' };
  },
});

export interface BackendOptions {
  /** Backend to use: a name from `knownBackends()`, or `auto` (default: $ADOMIX_BACKEND, else auto). */
  backend?: string;
  /** Environment to read ADOMIX_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Throw instead of falling back when the requested backend cannot run. */
  strict?: boolean;
}

export interface BackendChoice {
  /** The backend that runs (`tf.getBackend()`). */
  name: string;
  /** What was asked for: a name, or `auto`. */
  requested: string;
  /** Where the request came from. */
  source: 'option' | 'env' | 'default';
  /** What was loaded, e.g. `@tensorflow/tfjs-backend-wasm (SIMD on)`. */
  detail: string;
  /** Backends tried before this one and why each could not run. */
  skipped: { name: string; reason: string }[];
}

/** One line for a log or a terminal: `backend: wasm (…); skipped tensorflow: …`. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `backend: ${choice.name} (${choice.detail})${skipped ? `; skipped ${skipped}` : ''}`;
}

/** Tries one backend; returns its detail or throws with the reason. */
async function tryBackend(name: string): Promise<string> {
  const loader = loaders.get(name);
  if (loader === undefined) throw new Error('no loader registered');
  const { tfName, detail } = await loader.load();
  if (tf.findBackendFactory(tfName) === null) throw new Error(`tfjs has no backend named ${tfName} after loading`);
  let ok: boolean;
  if (tfName === 'cpu') {
    // The cpu backend prints a "use tfjs-node" banner on first use; we say which backend runs ourselves.
    const prod = tf.env().getBool('PROD');
    tf.env().set('PROD', true);
    try {
      ok = await tf.setBackend(tfName);
      if (ok) tf.tidy(() => tf.scalar(0).dataSync());
    } finally {
      tf.env().set('PROD', prod);
    }
  } else {
    ok = await tf.setBackend(tfName);
  }
  if (!ok) throw new Error('failed to initialise');
  await tf.ready();
  if (tf.getBackend() !== tfName) throw new Error(`tfjs runs ${tf.getBackend()} instead`);
  // A backend that initialises but cannot compute is no use: run one tiny op.
  const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const v = (await probe.data())[0];
  probe.dispose();
  if (v !== 3) throw new Error(`computes 1 + 2 = ${v}`);
  if (tfName === 'wasm') {
    // Only answerable once the module is loaded.
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return `${detail}, SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`;
  }
  return detail;
}

/**
 * Chooses, loads and activates a backend. Always resolves to a working backend (cpu is
 * the last resort) unless `strict` is set and the requested one fails.
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const fromEnv = env[BACKEND_ENV]?.trim();
  const source: BackendChoice['source'] = options.backend !== undefined ? 'option' : fromEnv ? 'env' : 'default';
  const requested = (options.backend ?? (fromEnv || 'auto')).trim().toLowerCase();
  const order = knownBackends();
  if (requested !== 'auto' && !order.includes(requested)) {
    const where = source === 'env' ? `${BACKEND_ENV}=${fromEnv}` : `backend ${JSON.stringify(options.backend)}`;
    throw new Error(`${where}: unknown backend; choose auto, ${order.join(', ')}`);
  }
  const candidates = requested === 'auto' ? order : [requested, ...order.filter((n) => n !== requested)];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of candidates) {
    try {
      const detail = await tryBackend(name);
      return { name: tf.getBackend(), requested, source, detail, skipped };
    } catch (err) {
      skipped.push({ name, reason: messageOf(err) });
      if (options.strict && name === requested) {
        throw new Error(`backend ${name} cannot run: ${messageOf(err)}`);
      }
    }
  }
  throw new Error(`no TensorFlow.js backend could run: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
