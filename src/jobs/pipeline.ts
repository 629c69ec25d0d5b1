import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { Config } from '../config/load.ts';
import { planFieldRules } from '../config/policy.ts';
import type { Step } from '../config/schema.ts';
import { templateRefusal } from '../config/template.ts';
import { RuleViolation } from '../domain/hotfix/errors.ts';
import { InvalidEventError } from '../store/event-codec.ts';
import type { HotfixCommand } from '../domain/hotfix/commands.ts';
import type { StepSpec } from '../domain/hotfix/policy.ts';
import { nextStep, runById } from '../domain/hotfix/queries.ts';
import type { HotfixState, Run, StepState } from '../domain/hotfix/state.ts';
import type { Clock } from '../service/ports.ts';
import type { CommandHandler, HandleOptions } from '../service/handler.ts';
import { LockHeldError } from '../service/handler.ts';
import type { JobQueues, PipelineJob } from './queues.ts';
import { jobIds, pipelineJobSchema } from './queues.ts';
import type { StepContext, StepOutcome } from './steps/types.ts';
import { runStep } from './steps/run-step.ts';
import { templateVars } from './steps/vars.ts';
import { WORKER } from './system.ts';

/** A logger (pino's shape): its children carry a hotfix's id, run and step on every line they write. */
export interface JobLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): JobLog;
}

/** How a step went, for metrics: its service and kind as configured, and how long it ran. */
export interface StepObservation {
  readonly service: string;
  readonly kind: string;
  readonly outcome: 'succeeded' | 'failed' | 'refused' | 'aborted' | 'interrupted';
  readonly seconds: number;
}

export interface PipelineDeps {
  readonly handler: CommandHandler;
  readonly queues: JobQueues;
  readonly clock: Clock;
  readonly config: () => Config;
  /** Everything a step runner needs but the step and its variables. */
  readonly stepContext: (signal: AbortSignal) => Omit<StepContext, 'vars' | 'attempt' | 'signal'>;
  readonly log: JobLog;
  /** Told how every step that ran went (metrics); must not throw. */
  readonly observeStep?: (step: StepObservation) => void;
}

/**
 * What a step of a run executes: the spec recorded when the run started, never today's config. A run started
 * by a release that did not record specs (event schema v1) falls back to the configured step at the same
 * place, only while it is still the step the run recorded (same name and kind); otherwise undefined.
 */
export const stepToRun = (config: Config, run: Run, step: StepState): StepSpec | undefined => {
  if (step.spec !== null) return step.spec;
  const configured: Step | undefined = config.services[step.service]?.[run.kind][step.stage][step.index];
  return configured?.name === step.name && configured.kind === step.kind ? configured : undefined;
};

/**
 * Processes a pipeline job: takes the deploy lock if the run is still waiting for it, then runs the steps from
 * the first one not recorded as finished, recording each start and outcome before the next step begins.
 *
 * BullMQ delivers at least once: a job is re-run after its worker died. The job that started a step owns it
 * (recorded in StepStarted), so a re-run of that job runs the step again with the next attempt number, while
 * any other job for the same run (a duplicate continuation) stays off it.
 */
export const createPipelineProcessor = (deps: PipelineDeps) => {
  const inProcess = new Map<string, Promise<unknown>>();
  /** Runs being processed here, to stop their running step when a person aborts the run. */
  const aborts = new Map<string, AbortController>();
  const runKey = (data: { hotfixId: string; runId: string }) => `${data.hotfixId}/${data.runId}`;
  const runAborted = (data: PipelineJob) => aborts.get(runKey(data))?.signal.aborted === true;
  /** Records a result; a refusal means another actor moved the run on, so this job stops. */
  const record = async (
    log: JobLog,
    hotfixId: string,
    command: HotfixCommand,
    options?: HandleOptions,
  ): Promise<HotfixState | null> => {
    try {
      const handled = await deps.handler.handle(hotfixId, command, options);
      return handled.events.length === 0 ? null : handled.state;
    } catch (error) {
      if (error instanceof RuleViolation) {
        log.info({ command: command.type, code: error.code }, `pipeline stops: ${error.message}`);
        return null;
      }
      // A bug, not a blip: retrying would store nothing either.
      if (error instanceof InvalidEventError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };

  /**
   * Takes the services' deploy lock and records the outcome; returns the state after it. The grant (with the
   * first step's start) is appended in the same script that takes the lock: one round trip, and no moment
   * when the lock is held but its grant not stored.
   */
  const takeLock = async (
    log: JobLog,
    job: PipelineJob,
    state: HotfixState,
    owner: string,
  ): Promise<HotfixState | null> => {
    const locks = { services: state.lock.services, runId: job.runId, since: deps.clock.now().toISOString() };
    try {
      return await record(
        log,
        job.hotfixId,
        { type: 'GrantLock', runId: job.runId, owner, by: WORKER },
        { locks },
      );
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      return record(log, job.hotfixId, {
        type: 'RefuseLock',
        runId: job.runId,
        service: error.service,
        heldBy: error.holder.hotfixId,
        since: error.holder.since,
        by: WORKER,
      });
    }
  };

  const execute = async (
    runLog: JobLog,
    data: PipelineJob,
    state: HotfixState,
    run: Run,
    step: StepState,
    signal: AbortSignal,
  ): Promise<HotfixState | 'pause'> => {
    const log = runLog.child({ step: step.key, attempt: step.attempt });
    const spec = stepToRun(deps.config(), run, step);
    if (spec === undefined) {
      // Guessing would run something the record does not name: the step fails, a person decides what next.
      log.warn({ name: step.name, kind: step.kind }, 'step not in the record nor in hotfix.yml: failing it');
      const failed = await record(log, data.hotfixId, {
        type: 'FailStep',
        runId: run.id,
        step: step.key,
        attempt: step.attempt,
        durationMs: 0,
        output: '',
        error: `this run was started by an earlier release that did not record its steps, and hotfix.yml no longer has “${step.name}” (${step.kind}) at ${step.key}: skip it or roll back`,
        by: WORKER,
      });
      return failed ?? 'pause';
    }
    switch (spec.kind) {
      case 'manual':
        // Paused with no worker held: a person's confirmation enqueues the continuation.
        return 'pause';
      case 'wait':
        await deps.queues.addPipeline(
          jobIds.waitDone(data.hotfixId, run.id, step.key, step.attempt),
          { hotfixId: data.hotfixId, runId: run.id, kind: run.kind, waitDone: step.key },
          spec.wait,
        );
        return 'pause';
      default: {
        const vars = templateVars({
          hotfixId: data.hotfixId,
          plan: state.plan,
          service: step.service,
          runId: run.id,
          runKind: run.kind,
          stepName: step.name,
          attempt: step.attempt,
        });
        // Defence in depth: a plan value the form and the domain would refuse today never reaches a step.
        const refused = templateRefusal(spec, state.plan, planFieldRules(deps.config()));
        const outcome: StepOutcome =
          refused === null
            ? await runStep(spec, { ...deps.stepContext(signal), vars, attempt: step.attempt, signal })
            : { ok: false, output: '', durationMs: 0, error: refused };
        const finished = (how: StepObservation['outcome']) => {
          deps.observeStep?.({
            service: step.service,
            kind: spec.kind,
            outcome: how,
            seconds: outcome.durationMs / 1000,
          });
          log[how === 'succeeded' ? 'info' : 'warn'](
            { name: step.name, kind: spec.kind, outcome: how, durationMs: Math.round(outcome.durationMs) },
            `step ${how}`,
          );
        };
        // The run was aborted by a person: the step was stopped, and the stream already says why.
        if (runAborted(data)) {
          finished('aborted');
          return 'pause';
        }
        // Interrupted by shutdown: the step did not fail; the job is handed back and resumed elsewhere.
        if (signal.aborted) {
          finished('interrupted');
          throw new Error(`${data.hotfixId} ${run.id}: ${step.name} interrupted by shutdown`);
        }
        finished(outcome.ok ? 'succeeded' : refused === null ? 'failed' : 'refused');
        const common = {
          runId: run.id,
          step: step.key,
          attempt: step.attempt,
          durationMs: Math.round(outcome.durationMs),
          output: outcome.output,
          by: WORKER,
        };
        const after = await record(
          log,
          data.hotfixId,
          outcome.ok
            ? { type: 'SucceedStep', ...common, ...(outcome.dryRun ? { dryRun: true } : {}) }
            : { type: 'FailStep', ...common, error: outcome.error },
        );
        return after ?? 'pause';
      }
    }
  };

  /**
   * `signal` aborts a running step (the grace period is over); `stopping` asks the job to stop between steps,
   * handing the rest of the run to another worker, so a shutdown never waits for a whole pipeline.
   */
  const processJob = async (
    job: Job,
    signal: AbortSignal = new AbortController().signal,
    stopping: () => boolean = () => false,
  ): Promise<string> => {
    const parsed = pipelineJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad pipeline job ${job.id}: ${parsed.error.message}`);
    const data = parsed.data;
    // BullMQ may hand a job out again while its first processing is still alive (its lock lapsed, e.g. while
    // Redis restarted). In this process, the second one waits for the first and then carries on from the stream.
    const key = runKey(data);
    const previous = inProcess.get(key) ?? Promise.resolve();
    const mine = previous.then(async () => {
      const abort = new AbortController();
      aborts.set(key, abort);
      try {
        return await processRun(job, data, AbortSignal.any([signal, abort.signal]), stopping);
      } finally {
        if (aborts.get(key) === abort) aborts.delete(key);
      }
    });
    const settled = mine.catch(() => undefined);
    inProcess.set(key, settled);
    void settled.then(() => inProcess.get(key) === settled && inProcess.delete(key));
    return mine;
  };

  async function processRun(
    job: Job,
    data: PipelineJob,
    signal: AbortSignal,
    stopping: () => boolean,
  ): Promise<string> {
    const owner = job.id ?? 'unknown';
    const log = deps.log.child({ hotfixId: data.hotfixId, runId: data.runId });
    let startedHere: string | undefined;

    // On a job's first delivery every decision below is checked by a command, so a cached state that has seen
    // the job's cause will do. A job handed out again (its worker died, or it failed) reads the stream: its
    // earlier delivery may have moved the run on past this process's cache, and a command it then repeats
    // would record nothing and look like another job's doing, stopping the run.
    const firstDelivery = job.attemptsStarted <= 1 && job.attemptsMade === 0 && job.stalledCounter === 0;
    let state =
      data.atVersion === undefined || !firstDelivery
        ? await deps.handler.state(data.hotfixId)
        : await deps.handler.stateAtLeast(data.hotfixId, data.atVersion);
    if (state.phase === 'none') throw new UnrecoverableError(`${data.hotfixId} does not exist`);
    if (data.kind === 'deploy' && state.phase === 'deploy_requested' && state.lock.runId === data.runId) {
      const granted = await takeLock(log, data, state, owner);
      state = granted ?? (await deps.handler.state(data.hotfixId));
      // Taking the lock also started the first step, for this job.
      const first = granted ? runById(granted, data.runId)?.steps[0] : undefined;
      if (first?.status === 'running' && first.owner === owner) startedHere = `${first.key}#${first.attempt}`;
    }

    for (;;) {
      const run = runById(state, data.runId);
      if (run === undefined || run.status !== 'running')
        return `run ${data.runId} is ${run?.status ?? 'not started'}`;
      const step = nextStep(run);
      if (step === undefined) return `run ${data.runId} finished`;

      if (step.status === 'running' && startedHere === `${step.key}#${step.attempt}`) {
        startedHere = undefined;
        const next = await execute(log, data, state, run, step, signal);
        if (next === 'pause') return `paused at ${step.name}`;
        state = next;
        continue;
      }
      if (step.status === 'running') {
        if (data.waitDone === step.key && step.kind === 'wait') {
          const started = step.startedAt ? Date.parse(step.startedAt) : deps.clock.now().getTime();
          const done = await record(log.child({ step: step.key, attempt: step.attempt }), data.hotfixId, {
            type: 'SucceedStep',
            runId: run.id,
            step: step.key,
            attempt: step.attempt,
            durationMs: Math.max(0, Math.round(deps.clock.now().getTime() - started)),
            output: '',
            by: WORKER,
          });
          if (done === null) return 'wait already recorded';
          deps.observeStep?.({
            service: step.service,
            kind: 'wait',
            outcome: 'succeeded',
            seconds: Math.max(0, deps.clock.now().getTime() - started) / 1000,
          });
          state = done;
          continue;
        }
        if (step.kind === 'manual' || step.kind === 'wait') return `waiting on ${step.name}`;
        if (step.owner !== undefined && step.owner !== owner) return `${step.name} is run by ${step.owner}`;
        // This job started the step and died before recording its outcome: run it again, next attempt.
        log.warn({ step: step.key, attempt: step.attempt + 1 }, 'resuming an interrupted step');
      }
      // Attempts keep counting across crash resumes and retries, so a script can tell a re-run (HOTFIX_STEP_ATTEMPT).
      const attempt = step.attempt + 1;
      const started = await record(log.child({ step: step.key, attempt }), data.hotfixId, {
        type: 'StartStep',
        runId: run.id,
        step: step.key,
        attempt,
        owner,
        ...(step.status === 'running'
          ? {
              interruption: `its worker stopped mid-step (owner ${step.owner ?? owner}); the step's processes were ended with it`,
            }
          : {}),
        by: WORKER,
      });
      if (started === null) return `${step.name} was taken by another job`;
      const startedRun = runById(started, run.id);
      const startedStep = startedRun?.steps.find((s) => s.key === step.key);
      if (!startedRun || !startedStep) return 'run vanished';
      const next = await execute(log, data, started, startedRun, startedStep, signal);
      if (next === 'pause') return `paused at ${step.name}`;
      state = next;
      if (stopping()) {
        await deps.queues.addPipeline(jobIds.handover(data.hotfixId, run.id, step.key, startedStep.attempt), {
          hotfixId: data.hotfixId,
          runId: run.id,
          kind: run.kind,
        });
        return `handed over after ${step.name}`;
      }
    }
  }
  return Object.assign(processJob, {
    /** Stops the running step of a run processed in this process (a person aborted the run). */
    abort: (hotfixId: string, runId: string): boolean => {
      const abort = aborts.get(runKey({ hotfixId, runId }));
      abort?.abort();
      return abort !== undefined;
    },
  });
};
