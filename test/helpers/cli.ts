import { fileURLToPath } from 'node:url';

/**
 * The arguments before a `hotfix` command when a test starts the CLI: the TypeScript sources through tsx, so a
 * test never runs a stale dist/. The compiled build, what bin/hotfix.js runs, has its own test
 * (test/main/build.int.test.ts), which `npm test` runs after building.
 */
export const HOTFIX_CLI: readonly string[] = [
  '--import',
  'tsx',
  fileURLToPath(new URL('../../src/main/cli.ts', import.meta.url)),
];
