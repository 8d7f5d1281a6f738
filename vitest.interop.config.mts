import { defineConfig } from 'vitest/config';

// Interop tests against independent peers (see scripts/interop.mjs). Run one file at a time: they share ports/ptys.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60000,
    hookTimeout: 60000,
  },
});
