import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
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

const spawnError = (program: string, error: { readonly code?: string; readonly message: string }): string => {
  switch (error.code) {
    case 'ENOENT':
      return `${program}: not found`;
    case 'EACCES':
      return `${program}: permission denied (is it executable?)`;
    default:
      return `${program}: ${error.message}`;
  }
};

/** SIGKILL to every process in the group, if any is left. */
const killGroup = (pgid: number): void => {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Nothing of the group is left.
  }
};

/** What the step guard (step-guard.mjs) reports on its socket, one JSON line each. */
const guardReport = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), pid: z.number().int().positive() }),
  z.object({ type: z.literal('failed'), code: z.string().optional(), message: z.string() }),
  z.object({
    type: z.literal('exited'),
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
    reason: z.enum(['timeout', 'aborted']).nullable(),
  }),
]);
type GuardReport = z.infer<typeof guardReport>;

type Ending =
  Extract<GuardReport, { type: 'failed' | 'exited' }> | { readonly type: 'lost'; readonly detail: string };

/**
 * The guard's path next to this module, from src/ (tsx) or a compiled dist/ alike: a build must copy
 * step-guard.mjs beside command.js.
 */
const STEP_GUARD = fileURLToPath(new URL('./step-guard.mjs', import.meta.url));

/** Reads the guard's reports until its final one, or until the socket ends without one. */
const readReports = (socket: Duplex, onStarted: (pid: number) => void): Promise<Ending> =>
  new Promise((done) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let report: GuardReport;
        try {
          report = guardReport.parse(JSON.parse(line));
        } catch {
          done({
            type: 'lost',
            detail: `step guard: unreadable report ${JSON.stringify(line.slice(0, 100))}`,
          });
          continue;
        }
        if (report.type === 'started') onStarted(report.pid);
        else done(report);
      }
    });
    socket.once('close', () => done({ type: 'lost', detail: 'step guard ended without a result' }));
  });

/**
 * Runs a command without a shell, each rendered template one literal argument, in its own process group,
 * under a step guard (step-guard.mjs) that dies with nothing left behind. On timeout or abort the whole
 * group gets SIGTERM, then SIGKILL after `killGraceMs`; whatever the command left running when it exited is
 * ended the same way, so nothing outlives the step. The guard keeps the timeout even if this worker freezes,
 * and ends the group within a second if the worker dies.
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

  // The guard leads a process group of its own (so a signal to the worker's group does not reach the step)
  // and gets no environment: the command's comes with the request, out of sight of `ps`.
  const guard = spawn(process.execPath, [STEP_GUARD], {
    detached: true,
    env: {},
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  // Piped as asked above: Node's types cannot tell from a four-item stdio.
  const [, stdout, stderr, socket] = guard.stdio as unknown as [null, Readable, Readable, Duplex];
  // Writes fail once the guard has gone; its reports (or their absence) say how the step ended.
  socket.on('error', () => {});
  const tail = createOutputTail();
  for (const stream of [stdout, stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => tail.append(chunk));
  }
  const closed = new Promise<void>((done) => guard.once('close', () => done()));
  let pgid: number | undefined;
  const ended = Promise.race([
    readReports(socket, (pid) => {
      pgid = pid;
    }),
    new Promise<Ending>((done) =>
      guard.once('error', (error) => done({ type: 'lost', detail: `step guard: ${error.message}` })),
    ),
  ]);
  socket.write(
    `${JSON.stringify({ program, args, cwd, env: env.env, timeoutMs: options.timeoutMs, killGraceMs: ctx.defaults.killGraceMs })}\n`,
  );
  const onAbort = () => socket.write('abort\n');
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const ending = await ended;
    ctx.signal.removeEventListener('abort', onAbort);
    if (ending.type === 'lost') {
      // Without its guard, nothing else would stop the command.
      if (pgid !== undefined) killGroup(pgid);
      guard.kill('SIGKILL');
      const { text, droppedLines } = tail.read();
      return fail(ending.detail, presentOutput(text, ctx.masker, droppedLines));
    }
    if (ending.type === 'failed') return fail(spawnError(program, ending));
    // A process that left the group (setsid) may still hold the pipes: stop reading rather than wait for it.
    if (!(await settlesWithin(closed, CLOSE_WAIT_MS))) {
      stdout.destroy();
      stderr.destroy();
    }

    const { text, droppedLines } = tail.read();
    const output = presentOutput(text, ctx.masker, droppedLines);
    if (ending.reason === 'timeout')
      return fail(`timed out after ${formatDuration(options.timeoutMs)} (killed)`, output);
    if (ending.reason === 'aborted') return fail('aborted', output);
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
    ctx.signal.removeEventListener('abort', onAbort);
    socket.destroy();
  }
};
