import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, loadSettings, logConfigWarnings } from '../../src/main/runtime.ts';

/** A valid config that leaves the sign-offs and the monitoring out of the process. */
const GAPPY = `
timezone: UTC
slack: { incident_channel: C0INCIDENTS }
people:
  technical: { slack: [U0ALICE, U0BOB] }
policy:
  approvals: { technical: 1 }
  signoffs: []
services:
  api:
    deploy:
      execution:
        - { name: deploy, run: [./deploy.sh] }
    rollback:
      execution:
        - { name: revert, run: [./revert.sh] }
`;

const collect = () => {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, log: { warn: (obj: object, msg: string) => void lines.push({ obj, msg }) } };
};

describe('serve, worker and the playground say at start-up what the config leaves out of the process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotfix-config-warnings-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('logs one warning per gap, at its line and YAML path, with the way to make them errors', async () => {
    const path = join(dir, 'hotfix.yml');
    await writeFile(path, GAPPY);
    const settings = await loadSettings({ HOTFIX_CONFIG: path });
    const { lines, log } = collect();
    logConfigWarnings(settings, log);
    expect(lines.length).toBe(settings.warnings.length);
    expect(lines.some((l) => l.msg.startsWith(`config warning: ${path}:8 policy.signoffs: `))).toBe(true);
    expect(
      lines.some((l) => l.msg.includes('services.api.monitor') || l.msg.includes('nothing watches api')),
    ).toBe(true);
    expect(lines.every((l) => JSON.stringify(l.obj).includes('--strict'))).toBe(true);
  });

  it('says nothing for the bundled example config, which leaves nothing out', async () => {
    const settings = await loadSettings({ HOTFIX_CONFIG: BUNDLED_CONFIG });
    const { lines, log } = collect();
    logConfigWarnings(settings, log);
    expect(lines).toEqual([]);
  });
});
