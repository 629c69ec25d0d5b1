import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfigFile, parseConfig } from '../../src/config/load.ts';
import type { ConfigResult } from '../../src/config/load.ts';

const example = new URL('../../config/hotfix.example.yml', import.meta.url).pathname;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const valid = (result: ConfigResult) => {
  if (!result.ok)
    throw new Error(`expected a valid config:\n${result.problems.map(formatProblem).join('\n')}`);
  return result;
};

/** The lines `hotfix config check` would print for the text, as if it were hotfix.yml. */
const problems = (text: string): string[] => {
  const result = parseConfig(text, 'hotfix.yml');
  return result.ok ? [] : result.problems.map(formatProblem);
};

/** A small valid config (line 1 is `slack:`, line 9 the approvals); the parts given are spliced in as YAML. */
const config = ({
  people = 'alice: { roles: [technical], slack: U0ALICE }\n  bob: { roles: [management], slack: U0BOB }',
  policy = '',
  slack = '',
  checklist = '[Review done]',
  step = '{ name: Deploy, run: [./deploy.sh] }',
}: {
  people?: string;
  policy?: string;
  slack?: string;
  checklist?: string;
  step?: string;
} = {}): string =>
  [
    'slack:',
    '  incident_channel: C0INCIDENTS',
    ...(slack === '' ? [] : [slack]),
    'teams:',
    "  incident_channel: '19:incidents@thread.tacv2'",
    'people:',
    `  ${people}`,
    'policy:',
    '  approvals: { technical: 1 }',
    ...(policy === '' ? [] : [policy]),
    'checklists:',
    `  code_readiness: ${checklist}`,
    'services:',
    '  api:',
    '    deploy:',
    `      execution: [${step}]`,
    '    rollback:',
    '      execution: [{ name: Back, run: [./rollback.sh] }]',
    '',
  ].join('\n');

describe('the process keys in the policy', () => {
  it('has no reminders, technical deployers and closers, the default bounds and no derived items by default', () => {
    const { policy, config: parsed } = valid(parseConfig(config(), 'hotfix.yml'));
    expect(policy).toMatchObject({
      reminders: {},
      deployers: ['technical'],
      closers: ['technical'],
      verificationPeriodMs: 30 * MINUTE,
      verificationPeriodMinMs: 5 * MINUTE,
      verificationPeriodMaxMs: 24 * HOUR,
      derivedItems: { code_readiness: {}, environment_readiness: {} },
    });
    expect(parsed.slack?.notify).toBeUndefined();
    expect(policy.services.api?.deploy.execution?.[0]?.tags).toEqual([]);
  });

  it('lets every role deploy and close when no role is named technical', () => {
    const people = 'alice: { roles: [dev], slack: U0ALICE }\n  bob: { roles: [ops], slack: U0BOB }';
    const { policy } = valid(
      parseConfig(config({ people }).replace('approvals: { technical: 1 }', 'approvals: { dev: 1 }'), 'x'),
    );
    expect(policy.deployers).toEqual(['dev', 'ops']);
    expect(policy.closers).toEqual(['dev', 'ops']);
  });

  it('widens a bound left out to take in a verification period outside the defaults', () => {
    const short = valid(parseConfig(config({ policy: '  verification_period: 90s' }), 'x')).policy;
    expect([short.verificationPeriodMinMs, short.verificationPeriodMaxMs]).toEqual([90_000, 24 * HOUR]);
    const long = valid(parseConfig(config({ policy: '  verification_period: 30h' }), 'x')).policy;
    expect([long.verificationPeriodMinMs, long.verificationPeriodMaxMs]).toEqual([5 * MINUTE, 30 * HOUR]);
  });

  it('maps the example config: reminders, bounds, who deploys and closes, a derived item, tags, notify', async () => {
    const { policy, config: parsed } = valid(await loadConfigFile(example));
    expect(policy.reminders).toEqual({
      approvalMs: 15 * MINUTE,
      manualStepMs: 10 * MINUTE,
      voteMs: 5 * MINUTE,
      signoffMs: HOUR,
      escalateTo: 'management',
    });
    expect(policy).toMatchObject({
      verificationPeriodMs: 45 * MINUTE,
      verificationPeriodMinMs: 15 * MINUTE,
      verificationPeriodMaxMs: 4 * HOUR,
      deployers: ['technical'],
      closers: ['technical', 'management'],
      derivedItems: { code_readiness: { 'Approvals received': 'approvals' }, environment_readiness: {} },
    });
    // The derived item keeps its place among the labels.
    expect(policy.checklists.code_readiness).toContain('Approvals received');
    expect(parsed.slack?.notify).toEqual(['C0STAKEHOLDERS']);
    expect(parsed.teams?.notify).toEqual(['19:f6e5d4c3b2a1@thread.tacv2']);
    const execution = policy.services['payments-api']?.deploy.execution ?? [];
    expect(execution.map((s) => [s.name, s.tags])).toEqual([
      ['Code deployment', ['code']],
      ['Database updates', ['database']],
      ['Configuration', ['config']],
      ['Service restart', ['restart']],
      ['Warm-up', []],
    ]);
  });
});

describe('problems with the process keys', () => {
  it('refuses unknown roles, an empty list and repeats among deployers, closers and escalate_to', () => {
    const policy = [
      '  deployers: [tech]',
      '  closers: [management, management]',
      '  reminders: { escalate_to: managment }',
    ].join('\n');
    expect(problems(config({ policy }))).toEqual([
      'hotfix.yml:10 policy.deployers[0]: unknown role "tech" (people defines: technical, management)',
      'hotfix.yml:11 policy.closers[1]: "management" is listed twice (first at [0])',
      'hotfix.yml:12 policy.reminders.escalate_to: unknown role "managment" (did you mean "management"?)',
    ]);
    expect(problems(config({ policy: '  deployers: []' }))).toEqual([
      'hotfix.yml:10 policy.deployers: name at least one role, or leave the key out',
    ]);
  });

  it('refuses a default verification period outside its bounds', () => {
    const policy = [
      '  verification_period: 30m',
      '  verification_period_min: 1h',
      '  verification_period_max: 10m',
    ].join('\n');
    expect(problems(config({ policy }))).toEqual([
      'hotfix.yml:11 policy.verification_period_min: 1h is longer than policy.verification_period (30m): the default period must lie within the bounds',
      'hotfix.yml:12 policy.verification_period_max: 10m is shorter than policy.verification_period (30m): the default period must lie within the bounds',
    ]);
    expect(
      problems(config({ policy: '  verification_period_min: 30m\n  verification_period_max: 30m' })),
    ).toEqual([]);
  });

  it('refuses a vote reminder that would come as the vote opens, and unknown reminder kinds', () => {
    const policy = [
      '  reminders: { vote: 15m, approvel: 10m }',
      '  rollback: { vote: { expires_after: 15m } }',
    ].join('\n');
    expect(problems(config({ policy }))).toEqual([
      'hotfix.yml:10 policy.reminders.approvel: unknown key "approvel" (did you mean "approval"?)',
    ]);
    expect(problems(config({ policy: policy.replace(', approvel: 10m', '') }))).toEqual([
      'hotfix.yml:10 policy.reminders.vote: a reminder 15m before the vote expires would come as the vote opens (policy.rollback.vote.expires_after is 15m): make it shorter',
    ]);
    expect(problems(config({ policy: '  reminders: { vote: 14m, approval: 0s }' }))).toEqual([
      'hotfix.yml:10 policy.reminders.approval: must be longer than 0, got "0s"',
    ]);
  });

  it('refuses stakeholder channels that are the incident channel, repeated or not channel ids', () => {
    const slack = '  notify: [C0INCIDENTS, C0STAKE, C0STAKE, "#general"]';
    expect(problems(config({ slack }))).toEqual([
      'hotfix.yml:3 slack.notify[3]: expected a Slack channel id such as C0123ABCD (not its #name), got "#general"',
    ]);
    expect(problems(config({ slack: slack.replace(', "#general"', '') }))).toEqual([
      'hotfix.yml:3 slack.notify[0]: C0INCIDENTS is the incident channel, which has the card and the whole thread: name other channels here',
      'hotfix.yml:3 slack.notify[2]: "C0STAKE" is listed twice (first at [1])',
    ]);
    const teams = config().replace(
      "  incident_channel: '19:incidents@thread.tacv2'",
      "  incident_channel: '19:incidents@thread.tacv2'\n  notify: ['19:INCIDENTS@thread.tacv2', 'General']",
    );
    expect(problems(teams)).toEqual([
      'hotfix.yml:5 teams.notify[1]: expected a Teams channel or group chat id such as "19:abc@thread.tacv2", got "General"',
    ]);
    expect(problems(teams.replace(", 'General'", ''))).toEqual([
      'hotfix.yml:5 teams.notify[0]: 19:INCIDENTS@thread.tacv2 is the incident channel, which has the card and the whole thread: name other channels here',
    ]);
  });

  it('takes step tags from a closed list, each once', () => {
    expect(
      problems(config({ step: '{ name: Deploy, run: [./deploy.sh], tags: [code, database, code] }' })),
    ).toEqual([
      'hotfix.yml:15 services.api.deploy.execution[0].tags[2]: "code" is listed twice (first at [0])',
    ]);
    expect(problems(config({ step: '{ name: Deploy, run: [./deploy.sh], tags: [schema] }' }))).toEqual([
      'hotfix.yml:15 services.api.deploy.execution[0].tags[0]: expected one of "database", "restart", "config", "code", got "schema"',
    ]);
  });

  it('derives a checklist item from approvals only', () => {
    const derived = valid(
      parseConfig(config({ checklist: '[Review done, { item: Approvals received, from: approvals }]' }), 'x'),
    );
    expect(derived.policy.checklists.code_readiness).toEqual(['Review done', 'Approvals received']);
    expect(derived.policy.derivedItems.code_readiness).toEqual({ 'Approvals received': 'approvals' });
    expect(problems(config({ checklist: '[{ item: Tests passed, from: ci }]' }))).toEqual([
      'hotfix.yml:11 checklists.code_readiness[0].from: expected "approvals", got "ci"',
    ]);
  });
});
