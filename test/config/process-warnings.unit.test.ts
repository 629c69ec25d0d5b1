import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../src/config/load.ts';

/** A config with every part of the process; each test takes one part out (or puts it back another way). */
const complete = readFileSync(new URL('../fixtures/config/complete.yml', import.meta.url), 'utf8');

type Edit = readonly [path: readonly (string | number)[], value: unknown];

/** The warnings `hotfix config check` prints for the complete config changed by `edits` (undefined deletes). */
const warningsOf = (...edits: Edit[]): string[] => {
  const doc = parseDocument(complete);
  for (const [path, value] of edits)
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  const result = parseConfig(doc.toString(), 'hotfix.yml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.warnings.map((w) => `${w.path}: ${w.message}`);
};

const step = { name: 'System check', check: { url: 'http://api.internal/health' } };

describe('what a valid config leaves out of the process', () => {
  it('says nothing about a config with every part, though it has no reminders, notify channels or deployers', () => {
    expect(complete).not.toMatch(/reminders|notify|deployers|closers/);
    expect(warningsOf()).toEqual([]);
  });

  it('warns about each readiness checklist that is missing or empty', () => {
    expect(warningsOf([['checklists', 'code_readiness'], []])).toEqual([
      'checklists.code_readiness: no code readiness checklist: the process has code review, tests, documentation and approvals checked before every deploy; list those items here',
    ]);
    expect(warningsOf([['checklists'], undefined])).toEqual([
      'checklists.code_readiness: no code readiness checklist: the process has code review, tests, documentation and approvals checked before every deploy; list those items here',
      'checklists.environment_readiness: no environment readiness checklist: the process has system status, resource availability, tool access and support coverage checked before every deploy; list those items here',
    ]);
  });

  it('warns when no role signs off', () => {
    const warning =
      'policy.signoffs: no role signs the deployment record off, so a hotfix can close without anyone confirming its outcome: the process has technical, business and support sign off; name the roles here';
    expect(warningsOf([['policy', 'signoffs'], []])).toEqual([warning]);
    expect(warningsOf([['policy', 'signoffs'], undefined])).toEqual([warning]);
  });

  it("warns about a service whose deploy is never verified, or verified only for some plans' changes", () => {
    expect(warningsOf([['services', 'api', 'deploy', 'verification'], []])).toEqual([
      "services.api.deploy.verification: no verification steps in api's deploy, so nothing checks that the fix works before the monitoring window: the process verifies with a system check, a function test, performance and user validation",
    ]);
    expect(
      warningsOf([['services', 'api', 'deploy', 'verification'], [{ ...step, when: 'database_changes' }]]),
    ).toEqual([
      "services.api.deploy.verification: every verification step in api's deploy runs only when the plan lists some kind of change (when:), so most hotfixes skip verification: add one that always runs",
    ]);
    // One step that always runs is enough, next to conditional ones.
    expect(
      warningsOf([
        ['services', 'api', 'deploy', 'verification'],
        [{ ...step, name: 'Ledger', when: 'database_changes' }, step],
      ]),
    ).toEqual([]);
  });

  it('warns about a service with no monitor checks', () => {
    expect(warningsOf([['services', 'api', 'monitor'], undefined])).toEqual([
      'services.api.monitor: no monitor checks for api: nothing watches it after the deploy, so its monitoring window always ends clean; add checks of its health, errors or performance',
    ]);
  });

  it('warns about a rollback that is never verified', () => {
    expect(warningsOf([['services', 'api', 'rollback', 'verification'], undefined])).toEqual([
      "services.api.rollback.verification: no verification steps in api's rollback, so nothing checks that the service works again after a rollback: the process verifies with a system check, data validation, user testing and a performance check",
    ]);
  });

  it('warns when one person alone can approve a plan, worse when it is its author', () => {
    expect(warningsOf([['policy', 'approvals'], { technical: 1 }])).toEqual([
      'policy.approvals: one approval (technical: 1) is enough to deploy: a single person can let a hotfix through. Ask for two approvals or more, from different roles if you can (for example technical: 1 and management: 1)',
    ]);
    expect(
      warningsOf([['policy', 'approvals'], { management: 1 }], [['policy', 'self_approval'], true]),
    ).toEqual([
      "policy.approvals: one approval (management: 1) is enough to deploy, and self_approval lets the plan's author give it: one person alone can plan and deploy a hotfix with nobody else looking. Ask for two approvals or more (for example technical: 1 and management: 1), or set self_approval: false",
    ]);
    // Two approvals always take two people (one person counts for one role only), self-approval or not.
    expect(
      warningsOf([['policy', 'approvals'], { technical: 2 }], [['policy', 'self_approval'], true]),
    ).toEqual([]);
  });

  it('gives each warning the line of the key to fix, or of the mapping that lacks it', () => {
    const doc = parseDocument(complete);
    doc.deleteIn(['services', 'api', 'monitor']);
    doc.setIn(['policy', 'signoffs'], doc.createNode([]));
    const result = parseConfig(doc.toString(), 'hotfix.yml');
    const text = doc.toString().split('\n');
    const lineOf = (pattern: RegExp) => text.findIndex((line) => pattern.test(line)) + 1;
    expect(result.ok && result.warnings.map((w) => [w.line, w.path])).toEqual([
      [lineOf(/^ {2}signoffs:/), 'policy.signoffs'],
      [lineOf(/^ {2}api:/), 'services.api.monitor'],
    ]);
  });
});
