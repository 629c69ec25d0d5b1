#!/usr/bin/env node
// Runs the compiled CLI under dist/, built by `npm run build` (`npm ci` and `npm install` run it through
// `prepare`). Development runs the sources with tsx instead: `npm run dev -- <command>`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('hotfix: not built yet: run npm run build (npm ci does it)\n');
  process.exit(1);
}
await import(cli.href);
