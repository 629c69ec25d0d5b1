import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../src/config/json-schema.ts';
import type { RegisterCommand } from '../../src/main/commands/command.ts';
import { buildProgram, COMMANDS } from '../../src/main/program.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real `hotfix` binary, as a user would, from the repository root. */
const hotfix = (args: string[], env: Record<string, string> = {}) => {
  const { HOTFIX_CONFIG: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['bin/hotfix.js', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('hotfix config check', { timeout: 20_000 }, () => {
  it('prints one summary line and exits 0 for a valid file', () => {
    expect(hotfix(['config', 'check', 'test/fixtures/config/minimal.yml'])).toEqual({
      code: 0,
      stdout:
        'test/fixtures/config/minimal.yml: ok — 1 role, 1 service (api: 1 deploy step, 1 rollback step, 0 monitor checks), 0 checklist items\n',
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
        /^config\/hotfix\.example\.yml: ok — 5 roles, 2 services \(payments-api: /,
      ),
    });
    expect(hotfix(['config', 'check', 'nowhere.yml'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nowhere.yml: no such file (give a path, or set HOTFIX_CONFIG)\n',
    });
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
