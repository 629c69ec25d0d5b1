import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { workspaceFromConfig } from '../../src/playground/workspace.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../examples/playground/hotfix.yml', import.meta.url));
const script = (name: string) => `./examples/playground/scripts/${name}`;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script as the worker does: argv without a shell, from the repository root. */
const run = (argv: readonly string[]): Promise<Ran> =>
  new Promise((resolve) => {
    const [program = '', ...args] = argv;
    execFile(
      program,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, HOTFIX_HOTFIX_ID: 'HF-7' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

const load = async (): Promise<Config> => {
  const result = await loadConfigFile(CONFIG);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.line} ${p.path}: ${p.message}`).join('\n'));
  return result.config;
};

describe('the bundled playground config', () => {
  it('is valid, with people for every role and short durations', async () => {
    const config = await load();
    const guid = (tail: string) => `00000000-0000-0000-0000-${tail.padStart(12, '0')}`;
    const person = (name: string, slackId: string, teams: string, roles: string[]) => ({
      id: slackId,
      name,
      displayName: name,
      roles,
      slackId,
      teamsId: guid(teams),
    });
    expect(workspaceFromConfig(config).people).toEqual([
      person('alice', 'U0ALICE', 'a11ce', ['technical', 'management']),
      person('bob', 'U0BOB', 'b0b', ['technical']),
      person('carol', 'U0CAROL', 'ca20', ['business']),
      person('dave', 'U0DAVE', 'da4e', ['support']),
      person('erin', 'U0ERIN', 'e121', ['management']),
    ]);
    // Both platforms, so one hotfix can be driven from the Slack and the Teams view.
    expect(config.slack?.incident_channel).toBe('C0INCIDENTS');
    expect(config.teams?.incident_channel).toBe('19:incidents@thread.tacv2');
    expect(config.policy.verification_period).toBeLessThanOrEqual(2 * 60_000);
    for (const service of Object.values(config.services))
      for (const check of service.monitor) expect(check.every).toBeLessThanOrEqual(15_000);
    const kinds = Object.values(config.services).flatMap((s) =>
      [...s.deploy.preparation, ...s.deploy.execution, ...s.deploy.verification].map((step) => step.kind),
    );
    expect(new Set(kinds)).toEqual(new Set(['run', 'wait', 'check', 'manual']));
  });

  it('runs only scripts that exist and are executable', async () => {
    const config = await load();
    const programs = [
      ...Object.values(config.services).flatMap((s) =>
        [s.deploy, s.rollback].flatMap((p) =>
          [...p.preparation, ...p.execution, ...p.verification].flatMap((step) =>
            step.kind === 'run' ? [step.run[0]] : [],
          ),
        ),
      ),
      ...[...config.checklists.code_readiness, ...config.checklists.environment_readiness].flatMap((item) =>
        item.check?.kind === 'run' ? [item.check.run[0]] : [],
      ),
    ];
    expect(programs.length).toBeGreaterThan(5);
    for (const program of new Set(programs)) await access(`${ROOT}/${program}`, constants.X_OK);
  });
});

describe('the playground scripts', () => {
  const cases: { name: string; ok: string[]; fail: string[]; says: RegExp }[] = [
    {
      name: 'deploy.sh',
      ok: ['api', '2.0.1', 'Fix totals'],
      fail: ['api', '2.0.1', 'Fix fail-deploy'],
      says: /did not come up/,
    },
    { name: 'verify.sh', ok: ['api', 'Fix totals'], fail: ['api', 'check fail-verify please'], says: /FAIL/ },
    {
      name: 'rollback.sh',
      ok: ['api', '2.0.0', 'x'],
      fail: ['api', '2.0.0', 'fail-rollback'],
      says: /gone from the registry/,
    },
    {
      name: 'migrate.sh',
      ok: ['2.0.1', 'x'],
      fail: ['2.0.1', 'fail-migrate'],
      says: /migration 0042 failed/,
    },
    { name: 'ci-status.sh', ok: ['2.0.1'], fail: ['2.0.1-fail-ci'], says: /tests failed/ },
  ];

  it('print what they do and fail when the plan tells them to', async () => {
    const results = await Promise.all(
      cases.map(async (c) => ({
        c,
        ok: await run([script(c.name), ...c.ok]),
        fail: await run([script(c.name), ...c.fail]),
      })),
    );
    for (const { c, ok, fail } of results) {
      expect(ok.code, `${c.name} ${ok.stderr}`).toBe(0);
      expect(ok.stdout.trim().split('\n').length, c.name).toBeGreaterThanOrEqual(2);
      expect(fail.code, c.name).toBe(1);
      expect(fail.stderr, c.name).toMatch(c.says);
    }
  });

  it('backup and restart always succeed, and the deploy says which hotfix it serves', async () => {
    const [backup, restart, deploy] = await Promise.all([
      run([script('backup.sh'), 'api', 'HF-7']),
      run([script('restart.sh'), 'api']),
      run([script('deploy.sh'), 'api', '2.0.1']),
    ]);
    expect(backup).toMatchObject({ code: 0, stdout: expect.stringContaining('snapshot api-HF-7 taken') });
    expect(restart).toMatchObject({ code: 0, stdout: expect.stringContaining('api restarted') });
    expect(deploy.stdout).toContain('Deploying api 2.0.1 (hotfix HF-7, attempt 1)');
  });

  it('refuse to run without their arguments', async () => {
    const missing = await run([script('deploy.sh')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/usage: deploy.sh SERVICE VERSION/);
  });
});
