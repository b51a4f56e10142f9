import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest 4.1 runs cores − 1 files at once by default: one at a time on a 2-core CI
    // machine, where many files mostly wait on child processes (the CLI, redis-server,
    // python). One file per core: `npm test` 495 s → 233 s on 2 cores.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
