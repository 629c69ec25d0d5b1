import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { Config } from '../config/load.ts';
import { planFieldRules } from '../config/policy.ts';
import { templateRefusal } from '../config/template.ts';
import type { HotfixCommand } from '../domain/hotfix/commands.ts';
import { RuleViolation } from '../domain/hotfix/errors.ts';
import { CHECKLISTS } from '../domain/hotfix/events.ts';
import type { HotfixState } from '../domain/hotfix/state.ts';
import type { CommandHandler } from '../service/handler.ts';
import type { Clock } from '../service/ports.ts';
import type { JobQueues, TimerJob } from './queues.ts';
import { jobIds, timerJobSchema } from './queues.ts';
import { runChecklistProbe, runProbe } from './steps/run-step.ts';
import type { StepContext, StepOutcome } from './steps/types.ts';
import { templateVars } from './steps/vars.ts';
import { CHECKER, MONITOR, TIMER } from './system.ts';

export interface TimerDeps {
  readonly handler: CommandHandler;
  readonly queues: JobQueues;
  readonly clock: Clock;
  readonly config: () => Config;
  readonly stepContext: (signal: AbortSignal) => Omit<StepContext, 'vars' | 'attempt' | 'signal'>;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** The monitor behind a check name `service/name`. */
const monitorOf = (config: Config, check: string) => {
  const slash = check.indexOf('/');
  const service = check.slice(0, slash);
  return {
    service,
    monitor: config.services[service]?.monitor.find((m) => m.name === check.slice(slash + 1)),
  };
};

/**
 * Timers: readiness checks, monitoring rounds, the end of the monitoring window, vote expiry and reminders. All are
 * delayed BullMQ jobs, so they survive worker restarts; each records through the command handler, and a
 * round or expiry already recorded records nothing again.
 */
export const createTimerProcessor = (deps: TimerDeps) => {
  const record = async (hotfixId: string, command: HotfixCommand): Promise<HotfixState | null> => {
    try {
      const handled = await deps.handler.handle(hotfixId, command);
      return handled.state;
    } catch (error) {
      if (!(error instanceof RuleViolation)) throw error;
      // Too early by this machine's clock (skew between hosts): retry later rather than lose the timer.
      if (error.code === 'wrong_phase' && /open until/.test(error.message))
        throw new Error(error.message, { cause: error });
      deps.log.info({ hotfixId, command: command.type, code: error.code }, error.message);
      return null;
    }
  };

  const context = (state: HotfixState, service: string, signal: AbortSignal): StepContext => ({
    ...deps.stepContext(signal),
    vars: templateVars({
      hotfixId: state.id,
      plan: state.plan,
      service,
      runId: '',
      runKind: 'deploy',
      stepName: '',
      attempt: 1,
    }),
    attempt: 1,
    signal,
  });

  /** Defence in depth, as for steps: a plan value its pattern refuses never reaches a check's command or URL. */
  const guardedProbe = async (
    check: unknown,
    state: HotfixState,
    probe: () => Promise<StepOutcome>,
  ): Promise<StepOutcome> => {
    const refused = templateRefusal(check, state.plan, planFieldRules(deps.config()));
    return refused === null ? probe() : { ok: false, output: '', durationMs: 0, error: refused };
  };

  const handlers: {
    [K in TimerJob['type']]: (job: Extract<TimerJob, { type: K }>, signal: AbortSignal) => Promise<string>;
  } = {
    'readiness-checks': async (job, signal) => {
      const state = await deps.handler.state(job.hotfixId);
      const items = deps.config().checklists;
      let ticked = 0;
      for (const checklist of CHECKLISTS) {
        for (const entry of items[checklist]) {
          const current = state.checklists[checklist].find((i) => i.label === entry.item);
          if (!entry.check || !current || current.ticked) continue;
          const { check } = entry;
          const outcome = await guardedProbe(check, state, () =>
            runChecklistProbe(check, context(state, '', signal)),
          );
          if (!outcome.ok) {
            deps.log.info(
              { hotfixId: job.hotfixId, item: entry.item, error: outcome.error },
              'readiness check did not pass',
            );
            continue;
          }
          const after = await record(job.hotfixId, {
            type: 'TickChecklistItem',
            checklist,
            item: entry.item,
            evidence: outcome.detail,
            by: CHECKER,
          });
          if (after) ticked++;
        }
      }
      return `${ticked} item(s) ticked`;
    },
    'monitor-round': async (job, signal) => {
      const state = await deps.handler.state(job.hotfixId);
      const window = state.monitoring;
      if (!window || window.closed) return 'window closed';
      const { service, monitor } = monitorOf(deps.config(), job.check);
      if (!monitor)
        throw new UnrecoverableError(`${job.hotfixId}: monitor ${job.check} is no longer in hotfix.yml`);
      const outcome = await guardedProbe(monitor.check, state, () =>
        runProbe(monitor.check, context(state, service, signal)),
      );
      const after = await record(job.hotfixId, {
        type: 'RecordMonitorCheck',
        check: job.check,
        round: job.round,
        passed: outcome.ok,
        detail: outcome.ok ? outcome.detail : outcome.error,
        ...(outcome.measurement === undefined ? {} : { measurement: outcome.measurement }),
        by: MONITOR,
      });
      const nextAt = deps.clock.now().getTime() + monitor.every;
      if (after?.monitoring && !after.monitoring.closed && nextAt < Date.parse(after.monitoring.until))
        await deps.queues.addTimer(
          jobIds.monitorRound(job.hotfixId, job.check, job.round + 1),
          { type: 'monitor-round', hotfixId: job.hotfixId, check: job.check, round: job.round + 1 },
          monitor.every,
        );
      return outcome.ok ? 'passed' : 'breached';
    },
    'close-window': async (job) => {
      const after = await record(job.hotfixId, { type: 'CloseMonitoringWindow', by: TIMER });
      return after ? `window closed (${after.phase})` : 'nothing to close';
    },
    'expire-vote': async (job) => {
      const after = await record(job.hotfixId, { type: 'ExpireVote', voteId: job.voteId, by: TIMER });
      return after ? `vote #${job.voteId} checked` : 'vote already closed';
    },
    'send-reminder': async (job) => {
      const { hotfixId, about, subject, round } = job;
      const handled = await deps.handler
        .handle(hotfixId, { type: 'SendReminder', about, subject, round, by: TIMER })
        .catch((error: unknown) => {
          if (!(error instanceof RuleViolation)) throw error;
          // The hotfix is gone or closed: nobody is left to remind.
          deps.log.info({ hotfixId, about, code: error.code }, error.message);
          return null;
        });
      return handled && handled.events.length > 0 ? `reminded (${about}, round ${round})` : 'not needed';
    },
  };

  return async (job: Job, signal: AbortSignal = new AbortController().signal): Promise<string> => {
    const parsed = timerJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad timer job ${job.id}: ${parsed.error.message}`);
    const data = parsed.data;
    const run = handlers[data.type] as (job: TimerJob, signal: AbortSignal) => Promise<string>;
    return run(data, signal);
  };
};
