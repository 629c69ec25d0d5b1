import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        // Integration tests start their own redis-server (see test/helpers/redis.ts).
        test: { name: 'int', include: ['test/**/*.int.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
    ],
  },
});
