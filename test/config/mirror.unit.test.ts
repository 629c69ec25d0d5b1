import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../src/config/load.ts';

const config = (slack: string, teams: string) => `
slack: { incident_channel: C0INCIDENTS${slack} }
teams: { incident_channel: '19:abc@thread.tacv2'${teams} }
people:
  technical: { slack: [U0ALICE], teams: [a1a1a1a1-0000-4000-8000-00000000a11c] }
policy:
  approvals: { technical: 1 }
services:
  api:
    deploy:
      execution:
        - { name: deploy, run: [./deploy.sh] }
    rollback:
      execution:
        - { name: revert, run: [./revert.sh] }
`;

describe('slack.mirror / teams.mirror', () => {
  it('are optional (absent: every hotfix shows on both) and read as booleans', () => {
    const plain = parseConfig(config('', ''), 'hotfix.yml');
    expect(plain.ok && [plain.config.slack?.mirror, plain.config.teams?.mirror]).toEqual([
      undefined,
      undefined,
    ]);
    const off = parseConfig(config(', mirror: true', ', mirror: false'), 'hotfix.yml');
    expect(off.ok && [off.config.slack?.mirror, off.config.teams?.mirror]).toEqual([true, false]);
  });

  it('refuse anything but a boolean, with the line and the path', () => {
    const result = parseConfig(config('', ', mirror: "no"'), 'hotfix.yml');
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.problems.map(formatProblem);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('hotfix.yml:3 teams.mirror: expected true or false, got "no"');
  });
});
