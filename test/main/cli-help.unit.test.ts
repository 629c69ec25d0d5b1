import { describe, expect, it } from 'vitest';
import { SERVE_ENV_NAMES } from '../../src/main/commands/env-help.ts';
import { buildProgram } from '../../src/main/program.ts';

/** `hotfix <args>` through the real program, in-process: what it printed (help ends in a CommanderError). */
const help = async (args: string[]): Promise<string> => {
  let stdout = '';
  const program = buildProgram({
    env: {},
    version: '1.2.3',
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    setExitCode: () => undefined,
  });
  await expect(program.parseAsync(args, { from: 'user' })).rejects.toMatchObject({
    code: 'commander.helpDisplayed',
    exitCode: 0,
  });
  return stdout;
};

describe('hotfix serve --help', () => {
  it('says which variable opens which endpoint, not that every endpoint is always there', async () => {
    const text = (await help(['serve', '--help'])).replace(/\s+/g, ' ');
    expect(text).toContain('POST /slack/events with SLACK_SIGNING_SECRET (no endpoint in Socket Mode)');
    expect(text).toContain(
      'POST /api/messages with MicrosoftAppId (or HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED=1)',
    );
    expect(text).toContain('always GET /healthz, /readyz and /metrics');
  });

  it('lists the environment variables serve reads, grouped, one line each', async () => {
    const text = await help(['serve', '--help']);
    const environment = text.slice(text.indexOf('Environment'));
    const groups = environment.split('\n').filter((line) => /^ {2}\S.*:$/.test(line));
    expect(groups).toEqual([
      '  Slack:',
      '  Microsoft Teams:',
      '  Config and store:',
      '  HTTP and logs:',
      '  Workers (unless --no-worker):',
    ]);
    const listed = environment.split('\n').flatMap((line) => /^ {4}(\S+) {2,}\S/.exec(line)?.[1] ?? []);
    expect(listed).toEqual([...SERVE_ENV_NAMES]);
    for (const name of [
      'SLACK_BOT_TOKEN',
      'MicrosoftAppId',
      'REDIS_URL',
      'HOTFIX_AUDIT_KEY',
      'PORT',
      'LOG_LEVEL',
    ])
      expect(listed).toContain(name);
    // The worker's own metrics listener: serve answers /metrics on PORT.
    expect(listed).not.toContain('HOTFIX_METRICS_PORT');
  });

  it('keeps the command list short: serve points at its own help', async () => {
    const text = (await help(['--help'])).replace(/\s+/g, ' ');
    expect(text).toContain(
      'serve [options] serve Slack, Microsoft Teams or both, with the workers unless --no-worker',
    );
    expect(text).not.toContain('/api/messages');
    expect(text).toContain('Slack and Teams played side by side');
  });
});
