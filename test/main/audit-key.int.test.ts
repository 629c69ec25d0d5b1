import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const MISSING_KEY =
  "hotfix: HOTFIX_AUDIT_KEY is not set: it keys the audit trail's hash chain (HMAC-SHA256). Generate one with `openssl rand -hex 32` and give every serve and worker process the same one";

/** The environment without anything of ours, so only what a test sets counts. */
const bare = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(SLACK_|Microsoft|HOTFIX_)/.test(name)),
);

/** Runs `hotfix <args>` until it exits by itself; the check needs no Redis, so none is started. */
const startUp = async (args: string[], env: Record<string, string>) => {
  const child = spawn(process.execPath, [...HOTFIX_CLI, ...args], {
    env: {
      ...bare,
      PORT: String(await freePort()),
      // Nothing listens here: a process that got past the check would fail on Redis with another line.
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      HOTFIX_CONFIG: 'config/hotfix.example.yml',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr: stderr.trim() };
};

describe('HOTFIX_AUDIT_KEY at start-up', () => {
  it('hotfix serve with Slack credentials refuses to start without it, in one line naming it', async () => {
    expect(
      await startUp(['serve'], { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' }),
    ).toEqual({ code: 1, stderr: MISSING_KEY });
  });

  it('hotfix worker refuses to start without it, with or without chat credentials: it appends events', async () => {
    expect(
      await startUp(['worker'], { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' }),
    ).toEqual({ code: 1, stderr: MISSING_KEY });
    expect(await startUp(['worker'], {})).toEqual({ code: 1, stderr: MISSING_KEY });
  });

  it('a key too short is refused before anything starts, without echoing it', async () => {
    const result = await startUp(['worker'], { HOTFIX_AUDIT_KEY: 'hunter2' });
    expect(result).toEqual({
      code: 1,
      stderr:
        'hotfix: HOTFIX_AUDIT_KEY must be at least 32 characters (generate one with: openssl rand -hex 32)',
    });
  });
});
