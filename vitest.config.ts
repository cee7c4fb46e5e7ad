import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite waits on emulated jobs and child processes, not on the CPU: run three files at once
    // even on 2 cores (vitest's default there is one).
    maxWorkers: 3,
  },
});
