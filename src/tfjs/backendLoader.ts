/**
 * What a backend loader is: the contract between the backend registry (backend.ts) and the
 * loaders it tries (the built-in ones there, WebGPU over Dawn in webgpu.ts, any a user
 * registers). Kept apart so a loader never imports the registry that imports it.
 */

/** A backend name adomix knows how to load; a registered loader may add more. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Loads one backend into tfjs's registry (importing its package, etc.). */
export interface BackendLoader {
  /**
   * Makes the backend available and returns the tfjs registry name to `setBackend`
   * (e.g. `tensorflow`), plus a short description of what was loaded. Throw when it cannot.
   */
  load(): Promise<{ tfName: string; detail: string }>;
}

/** Imports a package by a name TypeScript does not try to resolve (optional dependencies). */
export async function importOptional(name: string): Promise<unknown> {
  return import(name);
}
