import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the step guard file', () => {
  it('imports only Node built-ins, so plain node runs it from src/ or dist/ without tsx or node_modules', () => {
    const source = readFileSync(new URL('../../../src/jobs/steps/step-guard.mjs', import.meta.url), 'utf8');
    const imported = [...source.matchAll(/\bfrom '([^']+)'/g)].map((match) => match[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !name?.startsWith('node:'))).toEqual([]);
    expect(source).not.toMatch(/\b(import|require)\(/);
  });
});
