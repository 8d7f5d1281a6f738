import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
