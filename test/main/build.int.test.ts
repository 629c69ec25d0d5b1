import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../../src/slack-stand-in/index.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

/**
 * The compiled build, as users run it: `node bin/hotfix.js`, which loads dist/ (built by `npm run build`, which
 * `npm test` and `npm ci` run first). Node 20 cannot load TypeScript without tsx, and nothing here registers it,
 * so a compiled module that still imports a `.ts` file, or an asset the build forgot to copy, fails here.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'bin/hotfix.js';
const redisServer = useRedisServer();
const TOKEN = 'xoxb-build-test';

let standIn: SlackStandIn;
beforeAll(async () => {
  if (!existsSync(`${ROOT}dist/main/cli.js`))
    throw new Error('dist/ is missing: run npm run build first (npm test does)');
  standIn = createSlackStandIn({
    workspace: { teamId: 'T0BUILD', users: [], channels: [{ id: 'C0INCIDENTS', name: 'incidents' }] },
    botToken: TOKEN,
  });
  await standIn.start();
});
afterAll(async () => {
  await standIn.stop();
});

const run = promisify(execFile);

/** The environment without anything that would let a child load TypeScript. */
const plainEnv = (): NodeJS.ProcessEnv => {
  const { NODE_OPTIONS: _options, HOTFIX_CONFIG: _config, ...env } = process.env;
  return env;
};

/** Starts a long-running command and resolves once `ready` is in its output. */
const startUntil = async (args: string[], env: NodeJS.ProcessEnv, ready: RegExp) => {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited early with ${code}: ${output}`)));
  });
  return { child, output: () => output };
};

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
};

describe('the compiled build (bin/hotfix.js → dist/)', () => {
  it('prints its help and checks a config without tsx', async () => {
    const help = await run(process.execPath, [BIN, '--help'], { cwd: ROOT, env: plainEnv() });
    for (const command of ['serve', 'playground', 'worker', 'record', 'config', 'teams'])
      expect(help.stdout).toContain(command);
    const check = await run(process.execPath, [BIN, 'config', 'check', 'examples/playground/hotfix.yml'], {
      cwd: ROOT,
      env: plainEnv(),
    });
    expect(check.stdout).toMatch(/ok —/);
  });

  it('serves Slack with its app thread and workers compiled, ready on /readyz, and stops cleanly', async () => {
    const port = await freePort();
    const serve = await startUntil(
      ['serve'],
      {
        ...plainEnv(),
        PORT: String(port),
        REDIS_URL: redisServer().url,
        HOTFIX_REDIS_PREFIX: uniquePrefix('build'),
        HOTFIX_CONFIG: 'config/hotfix.example.yml',
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: 'build-test-signing-secret',
        SLACK_API_URL: standIn.url,
      },
      /listening/,
    );
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await stop(serve.child)).toBe(0);
    }
    expect(serve.output()).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|Cannot find module/);
  });

  it('runs the playground from dist/: its page and the assets the build copied', async () => {
    const port = await freePort();
    const playground = await startUntil(
      ['playground'],
      {
        ...plainEnv(),
        PORT: String(port),
        REDIS_URL: redisServer().url,
        HOTFIX_REDIS_PREFIX: uniquePrefix('build-pg'),
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      },
      /open (http:\/\/\S+)/,
    );
    try {
      const url = /open (http:\/\/\S+)/.exec(playground.output())?.[1] ?? '';
      const page = await fetch(url, { redirect: 'manual' });
      const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
      expect(cookie).not.toBe('');
      for (const asset of [
        'playground.js',
        'playground.css',
        'teams.js',
        'teams-hostconfig-light.json',
        'adaptivecards.js',
      ]) {
        const served = await fetch(`http://127.0.0.1:${port}/playground/assets/${asset}`, {
          headers: { cookie },
        });
        expect(served.status, asset).toBe(200);
      }
    } finally {
      await stop(playground.child);
    }
  });
});
