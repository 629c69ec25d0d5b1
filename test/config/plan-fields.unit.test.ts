import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../src/config/load.ts';
import { planFieldRules } from '../../src/config/policy.ts';
import { templateRefusal } from '../../src/config/template.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { DEFAULT_PLAN_FIELD_RULES, planFieldProblems } from '../../src/domain/hotfix/plan.ts';
import { largePlan } from '../bot/common/large-hotfix.ts';
import { given } from '../domain/given.ts';
import { checkoutPlan, paymentsPlan, paymentsPlanV2 } from '../domain/fixtures/record-histories.ts';
import { people, plan } from '../domain/fixtures/policy.ts';
import { cmd } from '../domain/scenarios.ts';

const minimal = readFileSync('test/fixtures/config/minimal.yml', 'utf8');

const parsed = (text: string) => {
  const result = parseConfig(text, 'hotfix.yml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result;
};

const UPLOAD_PACK = '--upload-pack=touch /tmp/pwned';

describe('plan_fields in hotfix.yml', () => {
  it('defaults to patterns that keep options and URL syntax out, and that every shipped config and fixture plan passes', () => {
    expect(parsed(minimal).policy.planFields).toEqual(DEFAULT_PLAN_FIELD_RULES);
    for (const file of ['config/hotfix.example.yml', 'examples/playground/hotfix.yml'])
      expect(parsed(readFileSync(file, 'utf8')).policy.planFields).toBeDefined();
    for (const fixture of [plan, paymentsPlan, paymentsPlanV2, checkoutPlan, largePlan])
      expect(planFieldProblems(fixture), fixture.issueId).toEqual({});
    expect(planFieldProblems({ ...plan, version: UPLOAD_PACK, previousVersion: '../admin?x=' })).toEqual({
      version:
        'The version must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.1).',
      previousVersion:
        'The previous version must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.0).',
    });
  });

  it('takes a pattern per field, worded by its hint (or quoted when it has none)', () => {
    const { config, policy } = parsed(
      `${minimal}\nplan_fields:\n  version: { pattern: '^v[0-9.]+$', hint: 'a version such as v2.3.1' }\n  issue_id: { pattern: '^JIRA-[0-9]+$' }\n`,
    );
    expect(planFieldRules(config)).toEqual(policy.planFields);
    expect(planFieldProblems({ ...plan, version: '2.3.1', issueId: 'INC-42' }, policy.planFields)).toEqual({
      version: 'The version must be a version such as v2.3.1.',
      issueId: 'The issue ID must be text matching /^JIRA-[0-9]+$/.',
    });
    expect(planFieldProblems({ ...plan, version: 'v2.3.1', issueId: 'JIRA-7' }, policy.planFields)).toEqual(
      {},
    );
  });

  it('refuses a pattern that is not a regular expression, naming where it is', () => {
    const result = parseConfig(`${minimal}\nplan_fields: { version: { pattern: '^[0-9' } }\n`, 'hotfix.yml');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map(formatProblem).join('\n')).toMatch(
        /plan_fields\.version\.pattern: expected a regular expression/,
      );
  });
});

describe('the domain refuses what the form would, whatever path the plan came by', () => {
  it('refuses to start or edit a plan whose version would be an option', () => {
    const bad: Plan = { ...plan, version: UPLOAD_PACK };
    given([])
      .when(cmd.start(people.requester, bad))
      .thenRefused('invalid_plan', /The version must be/);
    const started = given([]).when(cmd.start()).events();
    given(started)
      .when({ type: 'EditPlan', plan: bad, by: people.requester })
      .thenRefused('invalid_plan', /The version must be/);
  });
});

describe('the worker, at execution time', () => {
  const step = { name: 'deploy', kind: 'run', run: ['git', 'fetch', 'origin', '{{ plan.version }}'] };

  it('refuses to render a plan value that no longer matches its pattern, saying why', () => {
    expect(templateRefusal(step, { ...plan, version: UPLOAD_PACK }, DEFAULT_PLAN_FIELD_RULES)).toBe(
      '{{ plan.version }} was not rendered: The version must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.1). Nothing was run (hotfix.yml plan_fields).',
    );
    expect(templateRefusal(step, plan, DEFAULT_PLAN_FIELD_RULES)).toBeNull();
    // A step that does not use the value is not held up by it.
    expect(
      templateRefusal({ ...step, run: ['true'] }, { ...plan, version: UPLOAD_PACK }, undefined),
    ).toBeNull();
  });
});
