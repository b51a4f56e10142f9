/**
 * The WebGPU route: TensorFlow.js's WebGPU backend (`@tensorflow/tfjs-backend-webgpu`)
 * running on Dawn's Node binding (the `webgpu` package, an optional dependency that ships
 * a prebuilt `dawn.node`). On Linux Dawn drives the GPU through Vulkan, so it needs the
 * Vulkan loader (`libvulkan.so.1`, Debian's `libvulkan1`) and a GPU driver's ICD.
 *
 * This is the GPU route that works without CUDA 11: tfjs-node-gpu's libtensorflow wants
 * CUDA 11.2, while any recent NVIDIA driver ships a Vulkan ICD.
 *
 * Loading fails cleanly, with the reason, when the package is missing, when no Vulkan
 * loader is found (checked before Dawn starts, so machines without one are not spammed
 * with Dawn's warnings), or when Dawn finds no adapter.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importOptional, type BackendLoader } from './backendLoader.js';

/** Folders where the dynamic linker looks for libvulkan.so.1 (LD_LIBRARY_PATH first). */
function libraryDirs(env: Record<string, string | undefined>): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  return [
    ...fromEnv,
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/usr/local/lib',
    '/usr/local/nvidia/lib64',
  ];
}

/** Path of the Vulkan loader on Linux, or undefined when none is found. */
export function findVulkanLoader(env: Record<string, string | undefined> = process.env): string | undefined {
  for (const dir of libraryDirs(env)) {
    const path = join(dir, 'libvulkan.so.1');
    if (existsSync(path)) return path;
  }
  return undefined;
}

interface DawnModule {
  create(options: string[]): { requestAdapter(options?: object): Promise<DawnAdapter | null> };
  globals: Record<string, unknown>;
}

interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** Short human name of an adapter, e.g. `nvidia hopper (NVIDIA H100 80GB HBM3)`. */
export function describeAdapter(adapter: DawnAdapter): string {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture].filter((s) => s !== undefined && s !== '');
  const name = info.description || info.device;
  return `${parts.join(' ') || 'unknown adapter'}${name ? ` (${name})` : ''}`;
}

export const webgpuLoader: BackendLoader = {
  async load() {
    // Only Linux needs the loader (Dawn uses Metal or Direct3D elsewhere).
    if (process.platform === 'linux' && findVulkanLoader() === undefined) {
      throw new Error('no Vulkan loader (libvulkan.so.1) found; install libvulkan1 and a GPU driver');
    }
    let dawn: DawnModule;
    try {
      dawn = (await importOptional('webgpu')) as DawnModule;
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Error(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? 'the optional package "webgpu" (Dawn) is not installed'
          : `webgpu (Dawn) failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
    // tfjs-backend-webgpu reads navigator.gpu and the WebGPU globals (GPUBufferUsage, …).
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) throw new Error('Dawn found no WebGPU adapter (no GPU, or no Vulkan driver for it)');
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav === undefined) {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
    } else if (nav.gpu === undefined) {
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    }
    await importOptional('@tensorflow/tfjs-backend-webgpu');
    return { tfName: 'webgpu', detail: `tfjs-backend-webgpu on Dawn, ${describeAdapter(adapter)}` };
  },
};
