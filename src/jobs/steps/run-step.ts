import type { ChecklistProbe, Step } from '../../config/schema.ts';
import { runCommand } from './command.ts';
import { describeHttp, describeRun } from './dry-run.ts';
import { runHttp } from './http-step.ts';
import { defaultSleep, runProbe } from './probe.ts';
import type { ProbeContext, StepContext, StepOutcome } from './types.ts';

export { runProbe } from './probe.ts';

/** The steps a worker runs itself; the pipeline processor handles `manual` and `wait`. */
export type RunnableStep = Extract<Step, { kind: 'run' | 'http' | 'check' }>;

/** How much of the earlier tries' errors the output's first line repeats. */
const HISTORY_MAX_CHARS = 300;

/** The `HOTFIX_*` variables every command sees; unknown values are ''. */
export const hotfixEnv = (
  vars: ProbeContext['vars'],
  attempt: number,
  tryNumber: number,
): Record<string, string> => ({
  HOTFIX_HOTFIX_ID: vars['hotfix.id'] ?? '',
  HOTFIX_RUN_ID: vars['run.id'] ?? '',
  HOTFIX_RUN_KIND: vars['run.kind'] ?? '',
  HOTFIX_SERVICE: vars.service ?? '',
  HOTFIX_STEP_NAME: vars['step.name'] ?? '',
  HOTFIX_STEP_ATTEMPT: String(attempt),
  HOTFIX_STEP_TRY: String(tryNumber),
  HOTFIX_PLAN_ISSUE_ID: vars['plan.issue_id'] ?? '',
  HOTFIX_PLAN_VERSION: vars['plan.version'] ?? '',
  HOTFIX_PLAN_PREVIOUS_VERSION: vars['plan.previous_version'] ?? '',
});

const runOnce = async (step: RunnableStep, ctx: StepContext, tryNumber: number): Promise<StepOutcome> => {
  switch (step.kind) {
    case 'run':
      if (ctx.dryRun) return describeRun(step, ctx);
      return runCommand(step, ctx, {
        timeoutMs: step.timeout ?? ctx.defaults.runTimeoutMs,
        hotfixEnv: hotfixEnv(ctx.vars, ctx.attempt, tryNumber),
      });
    case 'http':
      if (ctx.dryRun) return describeHttp(step.http, ctx);
      return runHttp(step.http, ctx, { timeoutMs: step.timeout ?? ctx.defaults.httpTimeoutMs });
    case 'check':
      return runProbe(step.check, ctx, { timeoutMs: step.timeout });
    default: {
      const unknownStep: never = step;
      throw new Error(`not a runnable step: ${JSON.stringify(unknownStep)}`);
    }
  }
};

/** The delay before try `next` (2, 3…): `interval` each time, or `backoff` doubled after each try. */
export const delayBefore = (step: Pick<Step, 'interval' | 'backoff'>, next: number): number => {
  if (step.interval !== undefined) return step.interval;
  if (step.backoff !== undefined) return step.backoff * 2 ** (next - 2);
  return 0;
};

/**
 * Runs a `run`, `http` or `check` step: up to `step.attempts` tries, spaced by `interval` or `backoff`,
 * each bounded by `step.timeout` (or the kind's default). Stops at the first success, or at once when
 * `ctx.signal` is aborted (the outcome is then a failure with error `aborted`: check `ctx.signal.aborted`
 * to tell a shutdown from a failed step). Never throws for a failing command or endpoint.
 */
export const runStep = async (step: RunnableStep, ctx: StepContext): Promise<StepOutcome> => {
  const started = performance.now();
  const sleep = ctx.sleep ?? defaultSleep;
  const tries = step.attempts;
  const errors: string[] = [];
  const finish = (outcome: StepOutcome, tryNumber: number): StepOutcome => {
    const durationMs = performance.now() - started;
    if (tries === 1) return { ...outcome, durationMs };
    const suffix = ` (try ${tryNumber} of ${tries})`;
    const history =
      errors.length === 0 ? '' : `earlier tries: ${errors.join('; ')}`.slice(0, HISTORY_MAX_CHARS);
    const output = [history, outcome.output].filter((part) => part !== '').join('\n');
    return outcome.ok
      ? { ...outcome, output, durationMs, detail: `${outcome.detail}${suffix}` }
      : { ...outcome, output, durationMs, error: `${outcome.error}${suffix}` };
  };
  for (let tryNumber = 1; ; tryNumber++) {
    const outcome = await runOnce(step, ctx, tryNumber);
    if (outcome.ok || tryNumber >= tries || ctx.signal.aborted) return finish(outcome, tryNumber);
    errors.push(outcome.error);
    await sleep(delayBefore(step, tryNumber + 1), ctx.signal).catch(() => undefined);
    if (ctx.signal.aborted) return finish({ ...outcome, error: 'aborted' }, tryNumber);
  }
};

/**
 * Runs a checklist item's automatic check once (its own `attempts` apply to HTTP probes). On success,
 * `detail` is the evidence recorded with the tick: `./scripts/check-access.sh exited 0`, `GET http://… → 200`.
 */
export const runChecklistProbe = (
  probe: ChecklistProbe,
  ctx: ProbeContext & { readonly attempt?: number },
): Promise<StepOutcome> => {
  switch (probe.kind) {
    case 'run':
      return runCommand(probe, ctx, {
        timeoutMs: probe.timeout ?? ctx.defaults.runTimeoutMs,
        hotfixEnv: hotfixEnv(ctx.vars, ctx.attempt ?? 1, 1),
      });
    case 'check':
      return runProbe(probe, ctx);
    default: {
      const unknownProbe: never = probe;
      throw new Error(`unknown checklist check: ${JSON.stringify(unknownProbe)}`);
    }
  }
};
