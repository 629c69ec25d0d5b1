import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../src/config/json-schema.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { RegisterCommand } from '../../src/main/commands/command.ts';
import { buildProgram, COMMANDS } from '../../src/main/program.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real `hotfix` CLI (from its sources), as a user would, from the repository root. */
const hotfix = (args: string[], env: Record<string, string> = {}) => {
  const { HOTFIX_CONFIG: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [...HOTFIX_CLI, ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('hotfix config check', { timeout: 20_000 }, () => {
  it('prints one summary line and exits 0 for a valid file', () => {
    expect(hotfix(['config', 'check', 'test/fixtures/config/complete.yml'])).toEqual({
      code: 0,
      stdout:
        'test/fixtures/config/complete.yml: ok — 3 people in 2 roles, 1 service (api: 2 deploy steps, 2 rollback steps, 1 monitor check), 3 checklist items\n',
      stderr: '',
    });
  });

  const file = 'test/fixtures/config/minimal.yml';
  const summary = `${file}: ok — 1 role, 1 service (api: 1 deploy step, 1 rollback step, 0 monitor checks), 0 checklist items\n`;
  const warnings = [
    `${file}:2 checklists.code_readiness: warning: no code readiness checklist: the process has code review, tests, documentation and approvals checked before every deploy; list those items here`,
    `${file}:2 checklists.environment_readiness: warning: no environment readiness checklist: the process has system status, resource availability, tool access and support coverage checked before every deploy; list those items here`,
    `${file}:4 policy.signoffs: warning: no role signs the deployment record off, so a hotfix can close without anyone confirming its outcome: the process has technical, business and support sign off; name the roles here`,
    `${file}:5 policy.approvals: warning: one approval (technical: 1) is enough to deploy: a single person can let a hotfix through. Ask for two approvals or more, from different roles if you can (for example technical: 1 and management: 1)`,
    `${file}:7 services.api.monitor: warning: no monitor checks for api: nothing watches it after the deploy, so its monitoring window always ends clean; add checks of its health, errors or performance`,
    `${file}:8 services.api.deploy.verification: warning: no verification steps in api's deploy, so nothing checks that the fix works before the monitoring window: the process verifies with a system check, a function test, performance and user validation`,
    `${file}:11 services.api.rollback.verification: warning: no verification steps in api's rollback, so nothing checks that the service works again after a rollback: the process verifies with a system check, data validation, user testing and a performance check`,
  ];

  it('warns, with the line and YAML path, about each part of the process a valid file leaves out; exit 0', () => {
    expect(hotfix(['config', 'check', file])).toEqual({
      code: 0,
      stdout: summary,
      stderr: warnings.map((line) => `${line}\n`).join(''),
    });
  });

  it('with --strict, prints the same warnings, says they count as problems and exits 1', () => {
    expect(hotfix(['config', 'check', '--strict', file])).toEqual({
      code: 1,
      stdout: '',
      stderr: [...warnings, `${file}: not ok under --strict: 7 warnings, each counted as a problem`, ''].join(
        '\n',
      ),
    });
    // A complete config passes --strict as it passes without.
    expect(hotfix(['config', 'check', '--strict', 'test/fixtures/config/complete.yml'])).toMatchObject({
      code: 0,
      stderr: '',
    });
  });

  it('passes the bundled configs with --strict: the example and the playground leave nothing of the process out', () => {
    for (const bundled of ['config/hotfix.example.yml', 'examples/playground/hotfix.yml'])
      expect(hotfix(['config', 'check', '--strict', bundled])).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(new RegExp(`^${bundled.replace(/\./g, '\\.')}: ok — `)),
        stderr: '',
      });
  });

  it('prints every problem on its own line to stderr and exits 1 for an invalid file', () => {
    const file = 'test/fixtures/config/invalid/vote.yml';
    expect(hotfix(['config', 'check', file])).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `${file}:12 policy.rollback.vote.quorum: quorum 3 is more than the 2 people who may vote (technical, support): no rollback vote could pass`,
        `${file}:13 policy.rollback.vote.require[0]: role "management" is required to vote but is not eligible: add it to eligible`,
        '',
      ].join('\n'),
    });
  });

  it('checks $HOTFIX_CONFIG when no file is given, and says when the file is missing', () => {
    expect(hotfix(['config', 'check'], { HOTFIX_CONFIG: 'config/hotfix.example.yml' })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^config\/hotfix\.example\.yml: ok — 9 people in 5 roles, 2 services \(payments-api: /,
      ),
    });
    expect(hotfix(['config', 'check', 'nowhere.yml'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nowhere.yml: no such file (give a path, or set HOTFIX_CONFIG)\n',
    });
  });
});

describe('hotfix config check on the role form with ids on both platforms', { timeout: 20_000 }, () => {
  const file = 'test/fixtures/config/role-form-both-platforms.yml';

  it('warns that one human would count as two, exit code 0, and prints the persons form ready to paste', async () => {
    const { code, stdout, stderr } = hotfix(['config', 'check', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^test\/fixtures\/config\/role-form-both-platforms\.yml: ok — 2 roles/);
    const [warning = '', yaml = ''] = stderr.split('\n\n');
    expect(warning).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}: warning: `));
    expect(warning).toMatch(/counts as two people/);
    expect(warning).toMatch(/approve from one platform the plan they wrote on the other/);
    expect(warning).toMatch(/merge the entries of one human/);
    expect(yaml).toBe(
      [
        'people:',
        '  alice: {roles: [technical, management], slack: U0ALICE}',
        '  bob: {roles: [technical], slack: U0BOB}',
        '  teams-aliceaad: {roles: [technical], teams: 29:1aAliceAad}',
        '  teams-0000e121: {roles: [management], teams: 00000000-0000-0000-0000-00000000e121}',
        '',
      ].join('\n'),
    );
    // Pasted over the old section, it is a valid config with the same people in the same roles.
    const text = await readFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
    const pasted = text.replace(/^people:\n(?: {2}.*\n)+/m, yaml);
    const before = parseConfig(text, file);
    const after = parseConfig(pasted, file);
    expect(after.ok && before.ok && after.config.people).toEqual(before.ok && before.config.people);
    expect(after.ok && after.config.directory.map((p) => p.handle)).toEqual([
      'alice',
      'bob',
      'teams-aliceaad',
      'teams-0000e121',
    ]);
  });

  it('says nothing more for the persons form, or for one platform only', () => {
    expect(hotfix(['config', 'check', 'examples/playground/hotfix.yml'])).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(hotfix(['config', 'check', 'test/fixtures/config/complete.yml'])).toMatchObject({
      code: 0,
      stderr: '',
    });
  });

  it('counts the role-form warning under --strict', () => {
    const { code, stdout, stderr } = hotfix(['config', 'check', '--strict', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/counts as two people/);
    expect(stderr.endsWith(`${file}: not ok under --strict: 1 warning, each counted as a problem\n`)).toBe(
      true,
    );
  });
});

describe('hotfix', { timeout: 20_000 }, () => {
  it('prints the JSON Schema for `config schema`', () => {
    expect(hotfix(['config', 'schema'])).toEqual({ code: 0, stdout: renderConfigJsonSchema(), stderr: '' });
  });

  it('lists its commands in --help', () => {
    const { code, stdout } = hotfix(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: hotfix /);
    expect(stdout).toMatch(/\n {2}config +validate hotfix\.yml, or print its JSON Schema\n/);
  });

  it('refuses an unknown command with exit code 1 and a suggestion', () => {
    const { code, stderr } = hotfix(['confg']);
    expect(code).toBe(1);
    expect(stderr).toContain("error: unknown command 'confg'\n(Did you mean config?)");
  });
});

describe('buildProgram', () => {
  const run = async (args: string[], commands?: readonly RegisterCommand[]) => {
    const out = { stdout: '', stderr: '', code: 0 };
    const program = buildProgram(
      {
        env: { HOTFIX_CONFIG: 'test/fixtures/config/invalid/approvals-too-many.yml' },
        version: '1.2.3',
        stdout: (text) => (out.stdout += text),
        stderr: (text) => (out.stderr += text),
        setExitCode: (code) => (out.code = code),
      },
      commands,
    );
    await program.parseAsync(args, { from: 'user' });
    return out;
  };

  it('runs commands against its deps only: env, output and exit code', async () => {
    const out = await run(['config', 'check']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^test\/fixtures\/config\/invalid\/approvals-too-many\.yml:6 policy\.approvals\.technical: /,
    );
  });

  it('takes further commands as modules that register themselves', async () => {
    const hello: RegisterCommand = (program, deps) => {
      program
        .command('hello')
        .description('say hello')
        .action(() => deps.stdout('hello\n'));
    };
    expect(await run(['hello'], [...COMMANDS, hello])).toEqual({ stdout: 'hello\n', stderr: '', code: 0 });
    await expect(run(['--version'])).rejects.toMatchObject({ code: 'commander.version', exitCode: 0 });
  });
});
