import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, describeBackend, knownBackends, registerBackendLoader, selectBackend } from '../../src/tfjs/backend.js';

describe('backend selection', () => {
  it('keeps the order tensorflow → webgpu → wasm → cpu and knows the built-in loaders', () => {
    expect(BACKEND_ORDER).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(knownBackends()).toEqual(expect.arrayContaining(['tensorflow', 'wasm', 'cpu']));
  });

  it('runs an explicit choice and says which backend runs', async () => {
    const choice = await selectBackend({ backend: 'cpu' });
    expect(choice).toMatchObject({ name: 'cpu', requested: 'cpu', source: 'option', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(choice)).toMatch(/^backend: cpu \(/);
  });

  it('reads ADOMIX_BACKEND, and an option beats it', async () => {
    expect(await selectBackend({ env: { ADOMIX_BACKEND: 'cpu' } })).toMatchObject({ name: 'cpu', source: 'env' });
    await expect(selectBackend({ env: { ADOMIX_BACKEND: 'tpu' } })).rejects.toThrow(/ADOMIX_BACKEND=tpu: unknown backend; choose auto, /);
    await expect(selectBackend({ backend: 'nope' })).rejects.toThrow(/backend "nope": unknown backend/);
  });

  it('auto picks the first backend that runs and explains the ones it skipped', async () => {
    const choice = await selectBackend({ env: {} });
    expect(choice.requested).toBe('auto');
    expect(['tensorflow', 'webgpu', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    for (const s of choice.skipped) expect(s.reason.length).toBeGreaterThan(0);
    // Skipped entries come before the chosen one in the order.
    const order = knownBackends();
    for (const s of choice.skipped) expect(order.indexOf(s.name)).toBeLessThan(order.indexOf(choice.name));
  });

  it('falls back cleanly from a backend that fails to load (any error), or throws when strict', async () => {
    registerBackendLoader('broken-test', {
      async load() {
        throw new Error('libfoo.so: cannot open shared object file');
      },
    });
    const choice = await selectBackend({ backend: 'broken-test' });
    expect(choice.skipped[0]).toEqual({ name: 'broken-test', reason: 'libfoo.so: cannot open shared object file' });
    expect(tf.getBackend()).toBe(choice.name);
    await expect(selectBackend({ backend: 'broken-test', strict: true })).rejects.toThrow(/backend broken-test cannot run: libfoo\.so/);
    // A loader that "succeeds" but leaves nothing usable behind is a failure too.
    registerBackendLoader('ghost-test', {
      async load() {
        return { tfName: 'ghost', detail: 'nothing' };
      },
    });
    const ghost = await selectBackend({ backend: 'ghost-test' });
    expect(ghost.skipped[0].reason).toMatch(/tfjs has no backend named ghost/);
    expect(tf.getBackend()).toBe(ghost.name);
  });
});
