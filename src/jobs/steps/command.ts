import { spawn } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../../config/duration.ts';
import { renderTemplate } from '../../config/template.ts';
import { createOutputTail, presentOutput } from './output.ts';
import type { ProbeContext, StepOutcome } from './types.ts';

/** A command as configured: argv items are templates, env values literal, secrets named. */
export interface CommandSpec {
  readonly run: readonly string[];
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly secret_env: readonly string[];
}

/** The worker's variables a command inherits; anything else must be set in `env` or passed as `secret_env`. */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
] as const;

const POLL_MS = 50;
/** How long the pipes may stay open once the process group is gone. */
const CLOSE_WAIT_MS = 2_000;

const settlesWithin = async (promise: Promise<void>, ms: number): Promise<boolean> => {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise.then(() => true),
      delay(ms, false, { signal: timer.signal }).catch(() => false),
    ]);
  } finally {
    timer.abort();
  }
};

export type CommandEnv =
  | { readonly ok: true; readonly env: Record<string, string> }
  | { readonly ok: false; readonly missing: readonly string[] };

/**
 * The child's environment, lowest precedence first: inherited basics, the step's literal `env`, its
 * `secret_env` copied from the worker's environment, then the `HOTFIX_*` run variables (never overridden).
 */
export const commandEnv = (
  spec: CommandSpec,
  workerEnv: Readonly<Record<string, string | undefined>>,
  hotfixEnv: Readonly<Record<string, string>>,
): CommandEnv => {
  const missing = spec.secret_env.filter((name) => !workerEnv[name]);
  if (missing.length > 0) return { ok: false, missing };
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = workerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, spec.env);
  for (const name of spec.secret_env) env[name] = workerEnv[name] ?? '';
  return { ok: true, env: Object.assign(env, hotfixEnv) };
};

const spawnError = (program: string, error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case 'ENOENT':
      return `${program}: not found`;
    case 'EACCES':
      return `${program}: permission denied (is it executable?)`;
    default:
      return `${program}: ${error.message}`;
  }
};

/** Signals every process in the group; false when none is left. */
const signalGroup = (pgid: number, signal: NodeJS.Signals | 0): boolean => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
};

const procStat = /^\d+ \(.*\) (\S) \d+ (\d+) /s;

/**
 * Whether any process of the group still runs. `kill(-pgid, 0)` also counts zombies, and an init that
 * never reaps (PID 1 in many containers) leaves the group's orphans as zombies forever; on Linux /proc
 * tells them apart.
 */
const groupRunning = async (pgid: number): Promise<boolean> => {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true;
  }
  const states = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map((pid) =>
        readFile(`/proc/${pid}/stat`, 'utf8').then(
          (text) => procStat.exec(text),
          () => null,
        ),
      ),
  );
  return states.some((match) => match !== null && match[2] === String(pgid) && match[1] !== 'Z');
};

type Ending =
  | { readonly type: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly type: 'error'; readonly error: NodeJS.ErrnoException };

/**
 * Runs a command without a shell, each rendered template one literal argument, in its own process group.
 * On timeout or abort the whole group gets SIGTERM, then SIGKILL after `killGraceMs`; whatever the command
 * left running when it exited is ended the same way, so nothing outlives the step.
 */
export const runCommand = async (
  spec: CommandSpec,
  ctx: ProbeContext,
  options: { readonly timeoutMs: number; readonly hotfixEnv: Readonly<Record<string, string>> },
): Promise<StepOutcome> => {
  const started = performance.now();
  const fail = (error: string, output = ''): StepOutcome => ({
    ok: false,
    output,
    durationMs: performance.now() - started,
    error: ctx.masker.mask(error),
  });
  if (ctx.signal.aborted) return fail('aborted');

  let argv: string[];
  try {
    argv = spec.run.map((item) => renderTemplate(item, ctx.vars));
  } catch (error) {
    return fail((error as Error).message);
  }
  const [program = '', ...args] = argv;
  if (program.trim() === '') return fail('no program to run');

  const env = commandEnv(spec, ctx.env, options.hotfixEnv);
  if (!env.ok)
    return fail(
      `secret_env ${env.missing.join(', ')} ${env.missing.length === 1 ? 'is' : 'are'} not set in the worker's environment`,
    );

  const cwd = spec.cwd === undefined ? undefined : resolve(spec.cwd);
  if (spec.cwd !== undefined && cwd !== undefined) {
    const isDirectory = await stat(cwd).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDirectory) return fail(`cwd ${spec.cwd}: no such directory`);
  }

  const child = spawn(program, args, {
    cwd,
    env: env.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = createOutputTail();
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => tail.append(chunk));
  }
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  const ended = new Promise<Ending>((done) => {
    child.once('exit', (code, signal) => done({ type: 'exit', code, signal }));
    child.once('error', (error) => done({ type: 'error', error }));
  });

  let reason: 'timeout' | 'aborted' | undefined;
  let termAt: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const pgid = child.pid;
  const terminate = () => {
    if (pgid === undefined || termAt !== undefined) return;
    termAt = performance.now();
    signalGroup(pgid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), ctx.defaults.killGraceMs);
  };
  const timeout = setTimeout(() => {
    reason ??= 'timeout';
    terminate();
  }, options.timeoutMs);
  const onAbort = () => {
    reason ??= 'aborted';
    terminate();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const ending = await ended;
    // From here on the command has finished: a timeout or abort now would misreport its result.
    clearTimeout(timeout);
    ctx.signal.removeEventListener('abort', onAbort);
    if (ending.type === 'error') {
      if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
      return fail(spawnError(program, ending.error));
    }
    if (pgid !== undefined) {
      // Children the command left behind would outlive the step (and keep its pipes open): end them too.
      if (await groupRunning(pgid)) terminate();
      // The kill timer sends SIGKILL after the grace: past that, nothing of the group can still run.
      const giveUpAt = (termAt ?? 0) + ctx.defaults.killGraceMs + POLL_MS * 5;
      while (performance.now() < giveUpAt && (await groupRunning(pgid))) await delay(POLL_MS);
    }
    // A process that left the group (setsid) may still hold the pipes: stop reading rather than wait for it.
    if (!(await settlesWithin(closed, CLOSE_WAIT_MS))) {
      child.stdout.destroy();
      child.stderr.destroy();
    }

    const { text, droppedLines } = tail.read();
    const output = presentOutput(text, ctx.masker, droppedLines);
    if (reason === 'timeout')
      return fail(`timed out after ${formatDuration(options.timeoutMs)} (killed)`, output);
    if (reason === 'aborted') return fail('aborted', output);
    if (ending.code === 0)
      return {
        ok: true,
        output,
        durationMs: performance.now() - started,
        detail: ctx.masker.mask(`${program} exited 0`),
      };
    return fail(
      ending.code !== null ? `exit code ${ending.code}` : `killed by ${ending.signal ?? 'a signal'}`,
      output,
    );
  } finally {
    clearTimeout(timeout);
    clearTimeout(killTimer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
};
