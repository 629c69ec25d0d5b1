import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { createMasker, maskerFor } from '../../../src/jobs/steps/mask.ts';

describe('createMasker', () => {
  it('replaces every occurrence of every secret value', () => {
    const masker = createMasker({ values: ['s3cr3t-token', 'hunter22'], patterns: [] });
    expect(masker.mask('token=s3cr3t-token pw=hunter22 again s3cr3t-token')).toBe(
      'token=*** pw=*** again ***',
    );
  });

  it('masks the longest value first, so a secret containing another is hidden whole', () => {
    const masker = createMasker({ values: ['abcd', 'abcd-efgh-ijkl'], patterns: [] });
    expect(masker.mask('x abcd-efgh-ijkl y abcd')).toBe('x *** y ***');
  });

  it('ignores values shorter than 4 characters, which would mask ordinary text', () => {
    const masker = createMasker({ values: ['abc', '', '1'], patterns: [] });
    expect(masker.mask('abc 1 done')).toBe('abc 1 done');
  });

  it('treats values literally, not as regular expressions', () => {
    const masker = createMasker({ values: ['a.b*c+(d)'], patterns: [] });
    expect(masker.mask('axbbbc a.b*c+(d)')).toBe('axbbbc ***');
  });

  it('also masks a value URL-encoded or JSON-escaped', () => {
    const masker = createMasker({ values: ['p@ss/w"rd'], patterns: [] });
    expect(masker.mask('?token=p%40ss%2Fw%22rd {"t":"p@ss/w\\"rd"}')).toBe('?token=*** {"t":"***"}');
  });

  it('replaces every match of every pattern, with or without the g flag', () => {
    const masker = createMasker({ values: [], patterns: [/xox[abpr]-[A-Za-z0-9-]+/, /password=\S+/g] });
    expect(masker.mask('a xoxb-123-abc b xoxp-9 password=x1 password=y2')).toBe('a *** b *** *** ***');
  });
});

describe('maskerFor', () => {
  const example = parseConfig(readFileSync('config/hotfix.example.yml', 'utf8'), 'hotfix.example.yml');
  if (!example.ok) throw new Error('the example config should be valid');

  it('masks the values of secrets.env and every secret_env, and secrets.patterns', () => {
    const masker = maskerFor(example.config, {
      DEPLOY_TOKEN: 'deploy-token-value',
      CI_TOKEN: 'ci-token-value',
      PATH: '/usr/bin',
    });
    expect(masker.mask('deploy-token-value ci-token-value password=pw xoxb-1-2 /usr/bin')).toBe(
      '*** *** *** *** /usr/bin',
    );
  });

  it('includes secret_env names that secrets.env does not list (run steps and checklist checks)', () => {
    const config = {
      ...example.config,
      secrets: { env: [], patterns: [] },
    };
    const masker = maskerFor(config, { DEPLOY_TOKEN: 'deploy-token-value', CI_TOKEN: 'ci-token-value' });
    expect(masker.mask('deploy-token-value ci-token-value')).toBe('*** ***');
  });

  it('skips secrets the environment does not set', () => {
    expect(maskerFor(example.config, {}).mask('nothing secret')).toBe('nothing secret');
  });
});
