import { describe, expect, it } from 'vitest';
import { TEMPLATE_VARIABLES, renderTemplate } from '../../../src/config/template.ts';
import { templateVars } from '../../../src/jobs/steps/vars.ts';

const plan = {
  issueId: 'INC-42',
  version: '1.4.2',
  previousVersion: '1.4.1',
  summary: 'Fix double charge',
  severity: 'critical' as const,
};

describe('templateVars', () => {
  it('gives every template variable its value in a step', () => {
    const vars = templateVars({
      hotfixId: 'HF-7',
      hotfixUrl: 'https://chat.example.com/HF-7',
      plan,
      service: 'payments-api',
      runId: 'deploy-1',
      runKind: 'deploy',
      stepName: 'Code deployment',
      attempt: 2,
    });
    expect(vars).toEqual({
      'hotfix.id': 'HF-7',
      'hotfix.url': 'https://chat.example.com/HF-7',
      'plan.issue_id': 'INC-42',
      'plan.version': '1.4.2',
      'plan.previous_version': '1.4.1',
      'plan.summary': 'Fix double charge',
      'plan.severity': 'critical',
      service: 'payments-api',
      'run.id': 'deploy-1',
      'run.kind': 'deploy',
      'step.name': 'Code deployment',
      'step.attempt': '2',
    });
    expect(Object.keys(vars).sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });

  it("renders what a monitor or checklist does not know as ''", () => {
    const vars = templateVars({ hotfixId: 'HF-7', plan });
    expect(
      renderTemplate('[{{hotfix.url}}|{{service}}|{{run.id}}|{{step.attempt}}|{{plan.version}}]', vars),
    ).toBe('[||||1.4.2]');
  });
});
