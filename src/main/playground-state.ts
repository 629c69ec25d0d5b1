import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { redactRedisUrl } from '../config/redis-url.ts';
import { StartupError } from './startup-error.ts';

/**
 * What a running playground tells `hotfix record --playground` (and `verify`): where its hotfixes are (its
 * Redis, often a private redis-server on a port of the day, and its key prefix), which config it plays (its
 * time zone and people) and where its audit key is. Kept in its state directory next to that key, readable
 * by this user only (a REDIS_URL may carry a password); removed when the playground stops.
 */

/** Where the playground keeps what it makes for itself, relative to the directory it runs in. */
export const PLAYGROUND_STATE_DIR = '.hotfix';
export const PLAYGROUND_AUDIT_KEY_FILE = 'audit-key';
const STATE_FILE = 'playground.json';

const playgroundStateSchema = z.object({
  pid: z.int().positive(),
  redisUrl: z.string().min(1),
  prefix: z.string(),
  config: z.string().min(1),
  /** The audit key's file; null when the playground was given HOTFIX_AUDIT_KEY instead. */
  auditKeyFile: z.string().min(1).nullable(),
});

export type PlaygroundState = z.infer<typeof playgroundStateSchema>;

export const playgroundStateFile = (dir: string): string => resolve(dir, STATE_FILE);

/** Written once the playground listens: from then on `hotfix record --playground` can read its hotfixes. */
export const writePlaygroundState = async (dir: string, state: PlaygroundState): Promise<void> => {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(playgroundStateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
};

/** Removed when the playground stops, unless another playground in the same directory has written its own since. */
export const removePlaygroundState = async (dir: string, pid: number): Promise<void> => {
  const file = playgroundStateFile(dir);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const parsed = playgroundStateSchema.safeParse(parseJson(text));
  if (parsed.success && parsed.data.pid !== pid) return;
  await rm(file, { force: true });
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const START_HINT = 'start it with `npm start` (hotfix playground) in the directory you run this from';

/**
 * The environment that reads a running playground's hotfixes: its Redis, key prefix, config and audit key over
 * the caller's. Stops with one line when no playground runs here.
 */
export const playgroundEnv = async (
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Record<string, string | undefined>> => {
  const file = playgroundStateFile(dir);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new StartupError([`no playground is running here (there is no ${file}): ${START_HINT}`]);
    throw new StartupError([`cannot read ${file}: ${error.message}`]);
  });
  const parsed = playgroundStateSchema.safeParse(parseJson(text));
  if (!parsed.success)
    throw new StartupError([`${file} is not what a playground writes: remove it, then ${START_HINT}`]);
  const state = parsed.data;
  if (!running(state.pid))
    throw new StartupError([
      `the playground that wrote ${file} (pid ${state.pid}) has stopped, and its Redis with it: ${START_HINT}`,
    ]);
  const auditKey =
    state.auditKeyFile === null
      ? env.HOTFIX_AUDIT_KEY
      : (await readFile(state.auditKeyFile, 'utf8').catch(() => '')).trim() || undefined;
  return {
    ...env,
    REDIS_URL: state.redisUrl,
    HOTFIX_REDIS_PREFIX: state.prefix,
    HOTFIX_CONFIG: state.config,
    HOTFIX_AUDIT_KEY: auditKey,
  };
};

/** The one line when the playground's Redis does not answer although its process runs. */
export const playgroundRedisProblem = (redisUrl: string): StartupError =>
  new StartupError([
    `cannot reach the playground's Redis at ${redactRedisUrl(redisUrl)}: is the playground still starting, or stopping? ${START_HINT}`,
  ]);

/** How the banner tells people to read a record: the default directory needs no argument. */
export const recordHint = (dir: string, hotfixId = 'HF-1'): string =>
  `npx hotfix record ${hotfixId} --playground${dir === PLAYGROUND_STATE_DIR ? '' : ` ${dir}`}`;
