import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // Pure, but the property tests render whole hotfixes many times: on a busy 2-core runner they can pass
        // vitest's 5 s default without anything being wrong.
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        // Integration tests start their own redis-server (see test/helpers/redis.ts).
        test: { name: 'int', include: ['test/**/*.int.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
    ],
  },
});
