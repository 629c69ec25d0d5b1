// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) and copies the files tsc does not emit but the
// compiled code reads next to itself: the step guard (run by plain node) and the playground's page assets.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A clean build: a module deleted from src/ must not live on in dist/.
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
for (const path of ['jobs/steps/step-guard.mjs', 'playground/assets'])
  cpSync(`${root}src/${path}`, `${root}dist/${path}`, { recursive: true });
