import { defineConfig } from 'vitest/config'

// Under CI the JSON reporter's counts become .ci/run's closing `N passed, N failed` line.
const reporters = process.env.CI === 'true'
  ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
  : ['default']

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: reporters as never
  }
})
