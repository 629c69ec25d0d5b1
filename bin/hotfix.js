#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a fresh `npm ci` is enough for `npx hotfix …`.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli.ts');
