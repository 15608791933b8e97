import { defineConfig } from 'vitest/config';

// One runner for every workspace; each project keeps its tests beside its code.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'gateway', root: './gateway', include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 } },
      { test: { name: 'upstream-todo', root: './upstream-todo', include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 } },
      { test: { name: 'bench', root: './bench', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'deploy', root: './deploy', include: ['test/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'web', root: './web', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 } },
    ],
  },
});
