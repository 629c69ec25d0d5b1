import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOTFIX_CLI } from '../helpers/cli.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

// `hotfix serve`'s PORT is checked in serve.int.test.ts, with the Slack stand-in it needs to start.

const redisServer = useRedisServer();
const EXAMPLE_CONFIG = fileURLToPath(new URL('../../config/hotfix.example.yml', import.meta.url));

/** The environment without anything of ours, so only what a test sets counts. */
const bare = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(SLACK_|Microsoft|HOTFIX_|PORT$|REDIS_URL$)/.test(name)),
);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-busy-port-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A port another program holds, on `host`. */
const occupy = async (host: string): Promise<{ port: number; server: Server }> => {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { port, server };
};

/** `hotfix <args>` to its exit: its exit code, stdout and stderr. */
const runToExit = async (args: readonly string[], env: Record<string, string>) => {
  const child = spawn(process.execPath, [...HOTFIX_CLI, ...args], {
    env: {
      ...bare,
      REDIS_URL: redisServer().url,
      HOTFIX_REDIS_PREFIX: uniquePrefix('busy'),
      HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      HOTFIX_CONFIG: EXAMPLE_CONFIG,
      LOG_LEVEL: 'silent',
      ...env,
    },
    // Its own directory: whatever a start writes (the playground's .hotfix/) stays out of the working tree.
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
};

describe('a port already in use stops start-up with one line: which port, how to pick another', () => {
  it('hotfix playground (PORT)', async () => {
    const { port, server } = await occupy('127.0.0.1');
    try {
      const run = await runToExit(['playground'], {
        PORT: String(port),
        // None: the bundled playground config (there is no hotfix.yml in the test's directory).
        HOTFIX_CONFIG: '',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `hotfix: port ${port} on 127.0.0.1 is already in use (another hotfix, or another program): stop that one, or pick another with PORT=<port>\n`,
      );
      expect(run.stdout).not.toContain('open http');
    } finally {
      server.close();
    }
  }, 60_000);

  it('hotfix worker (HOTFIX_METRICS_PORT)', async () => {
    const { port, server } = await occupy('127.0.0.1');
    try {
      const run = await runToExit(['worker'], { HOTFIX_METRICS_PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `hotfix: port ${port} on 127.0.0.1 is already in use (another hotfix, or another program): stop that one, or pick another with HOTFIX_METRICS_PORT=<port> (0 picks any free one)\n`,
      );
    } finally {
      server.close();
    }
  }, 60_000);
});
