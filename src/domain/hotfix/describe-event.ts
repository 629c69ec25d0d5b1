import type { Checklist, DocItem, EventOf, HotfixEvent, PlannedStep } from './events.ts';
import { shownOnlyEdit } from './events.ts';
import { formatDuration, humanize } from './format.ts';
import { displayName, personKey } from './people.ts';
import { breachCount, findings, unobservedChecks, windowFindings } from './queries.ts';
import { reminderStep } from './reminders.ts';
import type { HotfixState } from './state.ts';

/** How the seed names the documentation updates. */
export const DOC_ITEM_LABELS: Readonly<Record<DocItem, string>> = {
  'system.changes_applied': 'Changes applied',
  'system.configuration': 'Configuration',
  'system.dependencies': 'Dependencies',
  'system.known_issues': 'Known issues',
  'process.procedures': 'Procedures',
  'process.guidelines': 'Guidelines',
  'process.lessons_learned': 'Lessons learned',
  'process.best_practices': 'Best practices',
};

export const CHECKLIST_LABELS: Readonly<Record<Checklist, string>> = {
  code_readiness: 'Code readiness',
  environment_readiness: 'Environment readiness',
};

/** What a reminder says, without the names (a thread line mentions them). */
export const reminderHeadline = (event: EventOf<'ReminderSent'>, state: HotfixState): string => {
  const step = event.about === 'manual_step' ? reminderStep(state, event.subject)?.step : undefined;
  const what = {
    approval: 'the plan still needs approval',
    manual_step: `manual step ${quote(step?.name ?? event.subject)} still waits for confirmation`,
    vote: `rollback vote #${event.subject} expires soon`,
    signoff: 'the deployment record still needs sign-off',
  }[event.about];
  return `reminder${event.round === 2 ? ' (again)' : ''}: ${what}${
    event.escalatedTo === undefined ? '' : `; escalated to ${event.escalatedTo}`
  }`;
};

/** A run's planned step by key, whatever state the run is in. */
export const stepOf = (state: HotfixState, runId: string, key: string): PlannedStep | undefined =>
  state.runs.find((r) => r.id === runId)?.steps.find((s) => s.key === key);

const list = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join(', '));

const quote = (text: string): string => `“${text}”`;

/**
 * One line saying what an event did, without its actor ("approved the plan as technical"), read against the
 * state just before it; null for events too fine-grained for a timeline (step started, monitor check passed).
 */
export const describeEvent = (event: HotfixEvent, state: HotfixState): string | null => {
  const step = (runId: string, key: string) => {
    const s = stepOf(state, runId, key);
    return s ? `${s.stage} step ${quote(s.name)} (${s.service})` : `step ${key}`;
  };
  const runName = (runId: string) => {
    const kind = state.runs.find((r) => r.id === runId)?.kind;
    return kind ? `${kind} run ${runId}` : `run ${runId}`;
  };
  switch (event.type) {
    case 'HotfixStarted':
      return `started hotfix ${event.id} for ${event.plan.issueId} (version ${event.plan.version}, ${event.plan.severity})`;
    case 'PlanEdited':
      return `edited the plan (revision ${state.planRevision + 1})${
        shownOnlyEdit(event) ? ': only where it is shown changed, so its approvals stand' : ''
      }`;
    case 'ApprovalsVoided':
      return `plan edit voided ${event.approvals.length} approval${event.approvals.length === 1 ? '' : 's'}: ${list(
        event.approvals.map((a) => `${a.role} by ${displayName(a.by)}`),
      )}`;
    case 'ChecklistItemTicked':
      return `ticked ${quote(event.item)} (${CHECKLIST_LABELS[event.checklist].toLowerCase()})${
        event.automatic ? ' automatically' : ''
      }${event.evidence === undefined ? '' : `: ${event.evidence}`}`;
    case 'ChecklistItemUnticked':
      return `unticked ${quote(event.item)} (${CHECKLIST_LABELS[event.checklist].toLowerCase()})`;
    case 'PlanApproved':
      return `approved the plan as ${event.role}${event.comment === undefined ? '' : `: ${event.comment}`}`;
    case 'PlanRejected':
      return `rejected the plan as ${event.role}: ${event.reason}`;
    case 'HotfixCancelled':
      return `cancelled the hotfix: ${event.reason}`;
    case 'DeployRequested':
      return `requested deploy of ${list(event.services)} (run ${event.runId})`;
    case 'LockGranted':
      return `lock granted on ${list(event.services)}`;
    case 'LockRefused':
      return `lock refused: ${event.service} is held by ${event.heldBy} (for ${formatDuration(Date.parse(event.at) - Date.parse(event.since))})`;
    case 'PipelineStarted':
      return `started ${event.kind} run ${event.runId} (${event.steps.length} step${event.steps.length === 1 ? '' : 's'})`;
    case 'StepStarted':
      return null;
    case 'StepInterrupted':
      return `attempt ${event.attempt} of ${step(event.runId, event.step)} was interrupted: ${event.reason}`;
    case 'StepSucceeded':
      if (event.dryRun) return `${step(event.runId, event.step)}: dry run, shown and not run`;
      return `${step(event.runId, event.step)} succeeded in ${formatDuration(event.durationMs)}${
        event.attempt > 1 ? ` (attempt ${event.attempt})` : ''
      }`;
    case 'StepFailed':
      return `${step(event.runId, event.step)} failed after ${formatDuration(event.durationMs)} (attempt ${
        event.attempt
      }): ${event.error}`;
    case 'StepReopened':
      return `reopened ${step(event.runId, event.step)} to run again: ${event.reason}`;
    case 'StepSkipped':
      return `skipped ${step(event.runId, event.step)}: ${event.reason}`;
    case 'ManualStepConfirmed':
      return `${event.outcome === 'confirmed' ? 'confirmed' : 'failed'} ${step(event.runId, event.step)}${
        event.note === undefined ? '' : `: ${event.note}`
      }`;
    case 'StagePassed':
      return `${event.stage} stage passed (${runName(event.runId)})`;
    case 'StageFailed':
      return `${event.stage} stage failed at ${quote(stepOf(state, event.runId, event.step)?.name ?? event.step)} (${runName(
        event.runId,
      )})`;
    case 'GatePassed':
      return `${humanize(event.gate)} gate passed (${runName(event.runId)})`;
    case 'GateFailed':
      return `${humanize(event.gate)} gate failed (${runName(event.runId)}): ${event.reason}`;
    case 'PipelineAborted':
      return `aborted ${runName(event.runId)}: ${event.reason}`;
    case 'MonitoringStarted':
      return `started monitoring for ${formatDuration(Date.parse(event.until) - Date.parse(event.at))}${
        event.periodFrom === undefined ? '' : `, the ${event.periodFrom}'s verification period`
      } (${list(event.checks)})`;
    case 'MonitorCheckPassed':
      return null;
    case 'MonitorCheckBreached':
      return `monitor check ${quote(event.check)} breached: ${event.detail}`;
    case 'MonitoringWindowClosed':
      return event.clean
        ? 'monitoring window closed clean'
        : `monitoring window ${windowFindings(breachCount(state), event.unobserved ?? [])}`;
    case 'BreachAcceptanceGiven':
      return `accepted the monitoring ${unobservedChecks(state).length === 0 ? 'breaches' : 'findings'} as ${event.role}: ${event.reason}`;
    case 'BreachesAccepted': {
      const by = event.roles.map((role) => {
        const accepted = state.breachAcceptances?.[role];
        return accepted ? `${displayName(accepted.by)} (${role})` : role;
      });
      return `verified with ${findings(event.breaches, unobservedChecks(state))}, accepted by ${list(by)}`;
    }
    case 'RollbackProposed':
      return `proposed rollback (vote #${event.voteId}, ${humanize(event.trigger)}${
        event.automatic ? ', automatic' : ''
      }): ${event.reason}`;
    case 'VoteCast': {
      // The same person's earlier ballot, also when it was recorded under their platform id before the config
      // named them (the text has no policy to match a ballot cast from the other platform then).
      const ballots = Object.values(state.votes.find((v) => v.id === event.voteId)?.ballots ?? {});
      const prior = ballots
        .filter(
          (b) =>
            personKey(b.by) === personKey(event.by) ||
            (b.by.platform === event.by.platform && b.by.id === event.by.id),
        )
        .sort((a, b) => a.at.localeCompare(b.at))
        .at(-1);
      const verb =
        prior && prior.choice !== event.choice ? `changed their vote from ${prior.choice} to` : 'voted';
      return `${verb} ${event.choice} rollback (vote #${event.voteId}${
        event.roles.length > 0 ? `, as ${event.roles.join(', ')}` : ''
      })`;
    }
    case 'VotePassed':
    case 'VoteFailed':
    case 'VoteExpired': {
      const result = { VotePassed: 'passed', VoteFailed: 'failed', VoteExpired: 'expired' }[event.type];
      return `rollback vote #${event.voteId} ${result} (${event.for} for, ${event.against} against)`;
    }
    case 'RollbackStarted': {
      const to = state.plan.previousVersion ? ` to ${state.plan.previousVersion}` : '';
      return event.voteId === undefined
        ? `rolling back${to}${event.automatic ? ' automatically' : ''}: ${event.reason}`
        : `rolling back${to} (vote #${event.voteId} passed)`;
    }
    case 'RollbackFinished':
      return `rollback run ${event.runId} finished`;
    case 'RollbackFailed':
      return `rollback run ${event.runId} failed at ${quote(stepOf(state, event.runId, event.step)?.name ?? event.step)}`;
    case 'IssueLogged':
      return `logged issue #${event.issueId}: ${event.text}`;
    case 'IssueResolved':
      return `resolved issue #${event.issueId}${event.note === undefined ? '' : `: ${event.note}`}`;
    case 'WorkaroundSet':
      return `set a workaround for issue #${event.issueId}: ${event.text}`;
    case 'IssueReopened':
      return `reopened issue #${event.issueId}${event.reason === undefined ? '' : `: ${event.reason}`}`;
    case 'ObservationNoted':
      return `noted: ${event.text}`;
    case 'DocumentationUpdateTicked':
      return `${event.done ? 'ticked' : 'unticked'} documentation update ${quote(DOC_ITEM_LABELS[event.item])}`;
    case 'LessonsLearnedNoted':
      return `noted a lesson learned: ${event.text}`;
    case 'SignedOff':
      return `signed off as ${event.role}`;
    case 'ReminderSent': {
      const who = event.missing.map(displayName).join(', ');
      return `${reminderHeadline(event, state)}${who ? ` — waiting for ${who}` : ''}`;
    }
    case 'HotfixClosed':
      return 'closed the hotfix';
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
