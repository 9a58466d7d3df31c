import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: [
      'test/**/*.test.ts',
      'core/**/*.test.ts',
      'gateway/**/*.test.ts',
      'firmware-bridge/**/*.test.ts',
      'cloud-relay/**/*.test.ts',
      'config/**/*.test.ts',
      'tools/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The tests run `hearth` as a child process many times over: its build is made once, first.
    globalSetup: ['test/build-setup.ts'],
    reporters: ['default', new URL('./summary-reporter.ts', import.meta.url).pathname],
  },
});
