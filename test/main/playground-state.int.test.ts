import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundState } from '../../src/main/playground-state.ts';
import {
  playgroundEnv,
  playgroundStateFile,
  recordHint,
  removePlaygroundState,
  writePlaygroundState,
} from '../../src/main/playground-state.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-playground-state-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const state = (over: Partial<PlaygroundState> = {}): PlaygroundState => ({
  pid: process.pid,
  redisUrl: 'redis://127.0.0.1:40001',
  prefix: 'hotfix-playground:',
  config: '/srv/team/hotfix.yml',
  auditKeyFile: null,
  ...over,
});

/** The pid of a process that has ended. */
const endedPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
};

describe("the playground's state file", () => {
  it("gives record the playground's Redis, prefix, config and audit key over the caller's, readable by its owner only", async () => {
    const own = join(dir, 'own');
    await writePlaygroundState(own, state({ auditKeyFile: join(own, 'audit-key') }));
    await writeFile(join(own, 'audit-key'), `${'k'.repeat(64)}\n`);
    expect((await stat(playgroundStateFile(own))).mode & 0o777).toBe(0o600);
    expect((await stat(own)).mode & 0o777).toBe(0o700);
    const env = await playgroundEnv(own, {
      PATH: '/bin',
      REDIS_URL: 'redis://prod:6379',
      HOTFIX_REDIS_PREFIX: 'site-a:',
      HOTFIX_CONFIG: 'hotfix.yml',
      HOTFIX_AUDIT_KEY: 'x'.repeat(32),
    });
    expect(env).toEqual({
      PATH: '/bin',
      REDIS_URL: 'redis://127.0.0.1:40001',
      HOTFIX_REDIS_PREFIX: 'hotfix-playground:',
      HOTFIX_CONFIG: '/srv/team/hotfix.yml',
      HOTFIX_AUDIT_KEY: 'k'.repeat(64),
    });
    // A playground given HOTFIX_AUDIT_KEY: the caller's is the one to check with.
    await writePlaygroundState(own, state());
    expect((await playgroundEnv(own, { HOTFIX_AUDIT_KEY: 'y'.repeat(32) })).HOTFIX_AUDIT_KEY).toBe(
      'y'.repeat(32),
    );
  });

  it('says in one line when the playground that wrote it has stopped, or when it is not one', async () => {
    const stale = join(dir, 'stale');
    const pid = await endedPid();
    await writePlaygroundState(stale, state({ pid }));
    await expect(playgroundEnv(stale, {})).rejects.toMatchObject({
      lines: [
        `the playground that wrote ${playgroundStateFile(stale)} (pid ${pid}) has stopped, and its Redis with it: start it with \`npm start\` (hotfix playground) in the directory you run this from`,
      ],
    });
    await writeFile(playgroundStateFile(stale), '{"pid": "me"}');
    await expect(playgroundEnv(stale, {})).rejects.toMatchObject({
      lines: [expect.stringContaining('is not what a playground writes: remove it')],
    });
  });

  it('is removed by the playground that wrote it only', async () => {
    const shared = join(dir, 'shared');
    await writePlaygroundState(shared, state({ pid: 1 }));
    await removePlaygroundState(shared, process.pid);
    expect(JSON.parse(await readFile(playgroundStateFile(shared), 'utf8'))).toMatchObject({ pid: 1 });
    await removePlaygroundState(shared, 1);
    await expect(stat(playgroundStateFile(shared))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is named in the banner only when it is not the default directory', () => {
    expect(recordHint('.hotfix')).toBe('npx hotfix record HF-1 --playground');
    expect(recordHint('/tmp/pg')).toBe('npx hotfix record HF-1 --playground /tmp/pg');
  });
});
