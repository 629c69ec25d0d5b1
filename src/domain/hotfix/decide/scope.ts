import type { CommandOf, HotfixCommandType } from '../commands.ts';
import { refuse } from '../errors.ts';
import type { Checklist, HotfixEvent } from '../events.ts';
import type { Person, Role } from '../people.ts';
import type { Policy } from '../policy.ts';
import { rolesOf } from '../policy.ts';
import { runById } from '../queries.ts';
import type { HotfixState, Run, StepState } from '../state.ts';

/** What `decide` needs besides the command and the state: the clock and the rules, never defaulted. */
export interface DecideContext {
  readonly now: Date;
  readonly policy: Policy;
}

export type Decision = HotfixEvent[];
/** An event without the fields every event gets from the command (`by`) and the clock (`at`). */
export type Draft = HotfixEvent extends infer E
  ? E extends HotfixEvent
    ? Omit<E, 'at' | 'by'>
    : never
  : never;

/** What every command handler sees: the state, the rules, the time and the actor as the config knows them. */
export interface Scope {
  readonly state: HotfixState;
  readonly ctx: DecideContext;
  /** The command's time, stamped on every event it causes. */
  readonly at: string;
  /** The hotfix's id, for messages. */
  readonly h: string;
  /** Stamps drafts with the command's actor and time. */
  emit(...drafts: Draft[]): Decision;
  /** Whether two recorded persons are the same human (through the policy: handles, ids on both platforms). */
  same(a: Person, b: Person): boolean;
}

/** One command's rules: the events it causes in this state, or a RuleViolation. */
export type Handler<T extends HotfixCommandType> = (command: CommandOf<T>, scope: Scope) => Decision;

export const stamp = (drafts: readonly Draft[], at: string, by: Person): Decision =>
  drafts.map((d) => ({ ...d, at, by }) as HotfixEvent);

export const PHASES_BEFORE_DEPLOY = ['planned'] as const;

/** A person with at least one role; returns their roles. */
export function requirePerson(by: Person, ctx: DecideContext, hotfixId: string): Role[] {
  if (by.platform === 'system') return refuse('not_in_role', 'This action needs a person, not the system.');
  const roles = rolesOf(ctx.policy, by);
  if (roles.length === 0)
    refuse('not_in_role', `You hold no role in hotfix.yml, so you cannot act on ${hotfixId || 'hotfixes'}.`);
  return roles;
}

/** Words for a list of roles: `technical`, `technical or management`, `a, b or c`. */
const anyOf = (roles: readonly Role[], join: string): string =>
  roles.length <= 1 ? (roles[0] ?? '') : `${roles.slice(0, -1).join(', ')} ${join} ${roles.at(-1) ?? ''}`;

/**
 * A person holding one of `allowed` (hotfix.yml `policy.deployers` for deploy, `policy.closers` for close);
 * the refusal says who may and what the person is: "Only technical can deploy; you are business."
 */
export function requireActingRole(
  by: Person,
  ctx: DecideContext,
  hotfixId: string,
  allowed: readonly Role[],
  verb: string,
): Role[] {
  const roles = requirePerson(by, ctx, hotfixId);
  if (!roles.some((r) => allowed.includes(r)))
    refuse(
      'not_in_role',
      allowed.length === 0
        ? `Nobody can ${verb}: hotfix.yml gives that to no role.`
        : `Only ${anyOf(allowed, 'or')} can ${verb}; you are ${anyOf(roles, 'and')}.`,
    );
  return roles;
}

export function requireSystem(by: Person, hotfixId: string): void {
  if (by.platform !== 'system')
    refuse('not_in_role', `Only the hotfix workers record pipeline results on ${hotfixId}.`);
}

export function requirePhase(state: HotfixState, phases: readonly HotfixState['phase'][], why: string): void {
  if (!phases.includes(state.phase))
    refuse('wrong_phase', `${state.id} is ${state.phase.replace('_', ' ')}. ${why}`);
}

/** A failed run can be taken up again at its failed step while it is the hotfix's last run. */
export function requireReopenable(state: HotfixState, run: Run, step: StepState): void {
  if (run.status !== 'failed' || state.runs.at(-1)?.id !== run.id)
    refuse('stale_step', `${run.id} is ${run.status}; ${step.name} can no longer be retried or skipped.`);
  const settled = run.kind === 'deploy' ? state.phase === 'deploy_failed' : state.phase === 'rollback_failed';
  if (!settled) refuse('wrong_phase', `${state.id} is ${state.phase.replace('_', ' ')}.`);
}

export function requireRunning(run: Run, hotfixId: string): void {
  if (run.status !== 'running') refuse('stale_step', `${run.id} of ${hotfixId} is ${run.status}.`);
}

export function requireStepRole(step: StepState, by: Person, ctx: DecideContext, verb: string): void {
  if (step.roles.length === 0) return;
  const roles = rolesOf(ctx.policy, by);
  if (!step.roles.some((r) => roles.includes(r)))
    refuse('not_in_role', `Only ${step.roles.join(' or ')} can ${verb} "${step.name}".`);
}

export function findStep(state: HotfixState, runId: string, key: string): { run: Run; step: StepState } {
  const run = runById(state, runId) ?? refuse('unknown_run', `${state.id} has no run ${runId}.`);
  const step =
    run.steps.find((s) => s.key === key) ??
    refuse('unknown_step', `${runId} of ${state.id} has no step ${key}.`);
  return { run, step };
}

export function findItem(state: HotfixState, checklist: Checklist, label: string) {
  return (
    state.checklists[checklist].find((i) => i.label === label) ??
    refuse(
      'unknown_item',
      `"${label}" is not on the ${checklist.replace('_', ' ')} checklist of ${state.id}.`,
    )
  );
}

export function findIssue(state: HotfixState, issueId: number) {
  return (
    state.issues.find((i) => i.id === issueId) ??
    refuse('unknown_issue', `${state.id} has no issue #${issueId}; ${issueNumbers(state)}.`)
  );
}

/** Which issue numbers exist, for a refusal that names a missing one (issues are numbered 1, 2, 3…). */
const issueNumbers = (state: HotfixState): string => {
  const ids = state.issues.map((i) => i.id);
  if (ids.length === 0) return 'no issue has been logged on it yet';
  if (ids.length === 1) return `its only issue is #${ids[0]}`;
  return `its issues are #${ids[0]} to #${ids.at(-1)}`;
};

export function nonEmpty(text: string, what: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? refuse('invalid_input', `Please give ${what}.`) : trimmed;
}

/** An optional note or reason: trimmed, and left out when blank. */
export const optionalText = (text: string | undefined): string | undefined => {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
};
