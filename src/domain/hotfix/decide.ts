import type { CommandOf, HotfixCommand, HotfixCommandType } from './commands.ts';
import { closeHotfix, signOff } from './decide/close.ts';
import { acceptBreaches, closeMonitoringWindow, recordMonitorCheck } from './decide/monitoring.ts';
import {
  logIssue,
  noteLessonsLearned,
  noteObservation,
  reopenIssue,
  resolveIssue,
  setWorkaround,
  tickDocumentationUpdate,
} from './decide/notes.ts';
import { approvePlan, cancelHotfix, editPlan, rejectPlan, startHotfix } from './decide/plan.ts';
import { tickChecklistItem, untickChecklistItem } from './decide/readiness.ts';
import { sendReminder } from './decide/reminders.ts';
import { castVoteCommand, expireVote, proposeRollbackCommand } from './decide/rollback.ts';
import {
  abortPipeline,
  confirmManualStep,
  failStep,
  grantLock,
  refuseLock,
  requestDeploy,
  retryStep,
  skipStep,
  startStep,
  succeedStep,
} from './decide/runs.ts';
import type { DecideContext, Decision, Handler, Scope } from './decide/scope.ts';
import { refuseSettled, stamp } from './decide/scope.ts';
import { refuse } from './errors.ts';
import type { Person } from './people.ts';
import { identify, keyOf } from './policy.ts';
import type { HotfixState } from './state.ts';

export type { DecideContext } from './decide/scope.ts';
export { plannedSteps } from './decide/steps.ts';

/** One handler per command, grouped by capability in ./decide/. */
const HANDLERS: { readonly [T in HotfixCommandType]: Handler<T> } = {
  StartHotfix: startHotfix,
  EditPlan: editPlan,
  ApprovePlan: approvePlan,
  RejectPlan: rejectPlan,
  CancelHotfix: cancelHotfix,
  TickChecklistItem: tickChecklistItem,
  UntickChecklistItem: untickChecklistItem,
  RequestDeploy: requestDeploy,
  GrantLock: grantLock,
  RefuseLock: refuseLock,
  StartStep: startStep,
  SucceedStep: succeedStep,
  FailStep: failStep,
  SkipStep: skipStep,
  RetryStep: retryStep,
  ConfirmManualStep: confirmManualStep,
  AbortPipeline: abortPipeline,
  RecordMonitorCheck: recordMonitorCheck,
  CloseMonitoringWindow: closeMonitoringWindow,
  AcceptBreaches: acceptBreaches,
  ProposeRollback: proposeRollbackCommand,
  CastVote: castVoteCommand,
  ExpireVote: expireVote,
  LogIssue: logIssue,
  ResolveIssue: resolveIssue,
  SetWorkaround: setWorkaround,
  ReopenIssue: reopenIssue,
  NoteObservation: noteObservation,
  TickDocumentationUpdate: tickDocumentationUpdate,
  NoteLessonsLearned: noteLessonsLearned,
  SignOff: signOff,
  SendReminder: sendReminder,
  CloseHotfix: closeHotfix,
};

/**
 * Decides which events a command causes, or throws a RuleViolation. Repeating an action already taken
 * (a second click, a redelivered request, a re-run job) yields no events.
 *
 * The actor is taken as the config knows them (`identify`): a human named in hotfix.yml's persons form is one
 * person whichever platform they act from, and their events record the handle and configured name. Every
 * comparison with a person recorded earlier goes through the policy (`keyOf`), since events recorded before a
 * team switched to the persons form carry no handle.
 */
export const decide = (input: HotfixCommand, state: HotfixState, ctx: DecideContext): Decision => {
  const command: HotfixCommand = { ...input, by: identify(ctx.policy, input.by) };
  if (command.type !== 'StartHotfix') {
    if (state.phase === 'none') return refuse('not_found', `Hotfix ${hotfixLabel(command)} does not exist.`);
    if (state.phase === 'closed' || state.phase === 'cancelled') {
      if (command.type === 'CloseHotfix' && state.phase === 'closed') return [];
      if (command.type === 'CancelHotfix' && state.phase === 'cancelled') return [];
      return refuseSettled(state);
    }
  }
  const at = ctx.now.toISOString();
  const scope: Scope = {
    state,
    ctx,
    at,
    h: state.id,
    emit: (...drafts) => stamp(drafts, at, command.by),
    same: (a: Person, b: Person) => keyOf(ctx.policy, a) === keyOf(ctx.policy, b),
  };
  return dispatch(command, scope);
};

const dispatch = <T extends HotfixCommandType>(command: CommandOf<T>, scope: Scope): Decision =>
  (HANDLERS[command.type] as Handler<T>)(command, scope);

const hotfixLabel = (command: HotfixCommand): string => ('id' in command ? command.id : '');
