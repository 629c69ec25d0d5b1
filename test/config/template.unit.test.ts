import { describe, expect, it } from 'vitest';
import { readJsonPath } from '../../src/config/json-path.ts';
import { renderTemplate, TEMPLATE_VARIABLES, templateProblems } from '../../src/config/template.ts';

describe('templateProblems', () => {
  it('accepts every known variable in a step, with or without spaces inside the braces', () => {
    const text = TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join('/') + '{{ service }}';
    expect(templateProblems(text, 'step')).toEqual([]);
  });

  it('names an unknown variable and the one probably meant', () => {
    expect(templateProblems('v={{plan.verison}}', 'step')).toEqual([
      'unknown template variable "{{plan.verison}}" (did you mean "{{plan.version}}"?)',
    ]);
    expect(templateProblems('{{nonsense}}', 'step')).toEqual(['unknown template variable "{{nonsense}}"']);
  });

  it('refuses variables the scope does not know', () => {
    expect(templateProblems('{{run.id}}', 'monitor')).toEqual([
      '"{{run.id}}" is not available in a monitor check',
    ]);
    expect(templateProblems('{{service}}', 'checklist')).toEqual([
      '"{{service}}" is not available in a checklist check',
    ]);
    expect(templateProblems('{{service}} {{plan.version}}', 'monitor')).toEqual([]);
  });

  it('reports unbalanced braces', () => {
    expect(templateProblems('--tag={{hotfix.id}', 'step')).toEqual([
      'unbalanced "{{" or "}}" in "--tag={{hotfix.id}"',
    ]);
  });
});

describe('renderTemplate', () => {
  it('substitutes plain text, once, without interpreting the value', () => {
    expect(
      renderTemplate('deploy {{service}} {{ plan.version }}', {
        service: 'api',
        'plan.version': '$(rm -rf /)',
      }),
    ).toBe('deploy api $(rm -rf /)');
    expect(renderTemplate('attempt {{step.attempt}}', { 'step.attempt': 2 })).toBe('attempt 2');
  });

  it('refuses a variable without a value rather than rendering it empty', () => {
    expect(() => renderTemplate('{{hotfix.url}}', {})).toThrow(
      'no value for template variable "{{hotfix.url}}"',
    );
  });
});

describe('readJsonPath', () => {
  const body = { status: 'ok', checks: { db: { healthy: true } }, items: [{ state: 'passed' }] };

  it('follows keys and list indices', () => {
    expect(readJsonPath(body, 'checks.db.healthy')).toBe(true);
    expect(readJsonPath(body, 'items[0].state')).toBe('passed');
    expect(readJsonPath([{ id: 7 }], '[0].id')).toBe(7);
  });

  it('is undefined for a missing segment', () => {
    expect(readJsonPath(body, 'items[3].state')).toBeUndefined();
    expect(readJsonPath(body, 'status.code')).toBeUndefined();
  });
});
