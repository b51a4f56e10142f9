import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeAdapter, findVulkanLoader } from '../../src/tfjs/webgpu.js';

describe('findVulkanLoader', () => {
  it('finds libvulkan.so.1 on LD_LIBRARY_PATH first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adomix-vk-'));
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    expect(findVulkanLoader({ LD_LIBRARY_PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'libvulkan.so.1'));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('describeAdapter', () => {
  it('names vendor, architecture and device', () => {
    expect(describeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100' } })).toBe(
      'nvidia hopper (NVIDIA H100)',
    );
    expect(describeAdapter({})).toBe('unknown adapter');
  });
});

// Linux machines without a Vulkan loader (CI, CPU boxes): the webgpu route must be skipped with
// its reason and the gpu benchmark must say there is no GPU and exit 0.
describe.skipIf(process.platform !== 'linux' || findVulkanLoader() !== undefined)('without a GPU', () => {
  it('falls back from an explicit webgpu request and says why', async () => {
    const { selectBackend } = await import('../../src/tfjs/backend.js');
    const choice = await selectBackend({ backend: 'webgpu', env: {} });
    expect(['wasm', 'cpu']).toContain(choice.name);
    const skipped = choice.skipped.find((s) => s.name === 'webgpu');
    expect(skipped?.reason).toMatch(/no Vulkan loader \(libvulkan\.so\.1\) found/);
    await expect(selectBackend({ backend: 'webgpu', strict: true })).rejects.toThrow(/webgpu cannot run: no Vulkan loader/);
  });

  it('npm run bench -- gpu reports no GPU and exits 0', () => {
    const out = execFileSync(process.execPath, ['dist/bench/run.js', 'gpu', '--json'], {
      cwd: new URL('../../', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const last = JSON.parse(out.trim().split('\n').pop()!);
    expect(last).toMatchObject({ bench: 'gpu', backend: null, device: null, gpu: false });
    expect(last.reason).toMatch(/webgpu cannot run/);
  });
});
