import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The arguments before a `hotfix` command when a test starts the CLI: the TypeScript sources through tsx, so a
 * test never runs a stale dist/. The compiled build, what bin/hotfix.js runs, has its own test
 * (test/main/build.int.test.ts), which `npm test` runs after building. tsx is named by its resolved file, so
 * a test may start the CLI in a directory of its own (`cwd`), as a person would in theirs.
 */
export const HOTFIX_CLI: readonly string[] = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  fileURLToPath(new URL('../../src/main/cli.ts', import.meta.url)),
];
