import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfigFile, parseConfig } from '../../src/config/load.ts';
import { membersOf, rolesOf } from '../../src/domain/hotfix/policy.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';

const policyOf = (text: string): Policy => {
  const result = parseConfig(text, 'hotfix.yml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.policy;
};

const base = `
people:
  technical: { slack: [U0TECH1, U0BOTH], teams: ['29:tech'] }
  management: { slack: [U0BOTH] }
policy:
  approvals: { technical: 2 }
  signoffs: [technical]
  verification_period: 45m
  rollback: { on_failure: execute, vote: { quorum: 2, require: [management], expires_after: 10m } }
checklists:
  code_readiness: [Review done, { item: CI green, check: { run: [./ci.sh] } }]
services:
  api:
    deploy:
      preparation: [{ name: Backup, run: [./backup.sh] }]
      execution: [{ name: Migrate, run: [./migrate.sh], when: database_changes, roles: [technical], tags: [database] }]
      verification: [{ name: Confirm, manual: Check a payment }]
    rollback:
      execution: [{ name: Back, run: [./rollback.sh] }]
    monitor:
      - { name: Health, check: { url: 'http://api/health' }, every: 1m }
`;

describe('toPolicy', () => {
  it('resolves people per role and platform', () => {
    const policy = policyOf(base);
    expect(policy.people).toEqual({
      technical: [
        { platform: 'slack', id: 'U0TECH1' },
        { platform: 'slack', id: 'U0BOTH' },
        { platform: 'teams', id: '29:tech' },
      ],
      management: [{ platform: 'slack', id: 'U0BOTH' }],
    });
    expect(rolesOf(policy, { platform: 'slack', id: 'U0BOTH' })).toEqual(['technical', 'management']);
    expect(rolesOf(policy, { platform: 'teams', id: 'U0BOTH' })).toEqual([]);
  });

  it('carries the rules with durations in milliseconds; an absent eligible list means every role', () => {
    const policy = policyOf(base);
    expect(policy).toMatchObject({
      approvals: { technical: 2 },
      selfApproval: false,
      signoffs: ['technical'],
      verificationPeriodMs: 45 * 60_000,
      rollback: {
        onFailure: 'execute',
        vote: {
          eligible: ['technical', 'management'],
          quorum: 2,
          require: ['management'],
          expiresAfterMs: 600_000,
        },
      },
    });
    expect(membersOf(policy, policy.rollback.vote.eligible).size).toBe(3);
  });

  it('reduces checklists to labels and keeps each step whole, as configured (runs record it)', () => {
    const policy = policyOf(base);
    const run = { kind: 'run', attempts: 1, roles: [], tags: [], env: {}, secret_env: [] };
    expect(policy.checklists).toEqual({
      code_readiness: ['Review done', 'CI green'],
      environment_readiness: [],
    });
    expect(policy.services).toEqual({
      api: {
        deploy: {
          preparation: [{ ...run, name: 'Backup', run: ['./backup.sh'] }],
          execution: [
            {
              ...run,
              name: 'Migrate',
              run: ['./migrate.sh'],
              roles: ['technical'],
              tags: ['database'],
              when: 'database_changes',
            },
          ],
          verification: [
            { name: 'Confirm', kind: 'manual', manual: 'Check a payment', attempts: 1, roles: [], tags: [] },
          ],
        },
        rollback: {
          preparation: [],
          execution: [{ ...run, name: 'Back', run: ['./rollback.sh'] }],
          verification: [],
        },
        monitor: [{ name: 'Health', everyMs: 60_000 }],
      },
    });
  });

  it('maps the example config', async () => {
    const result = await loadConfigFile(new URL('../../config/hotfix.example.yml', import.meta.url).pathname);
    expect(result.ok && Object.keys(result.policy.services)).toEqual(['payments-api', 'ledger-worker']);
  });
});
