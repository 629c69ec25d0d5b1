import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type {
  Checklist,
  DocItem,
  HotfixEvent,
  MonitorMeasurement,
  ReminderAbout,
} from '../../src/domain/hotfix/events.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import { deploymentHash } from '../../src/domain/hotfix/plan.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { play } from './given.ts';
import { minutes, people, plan, policy, worker } from './fixtures/policy.ts';

/** Command builders, so tests read as the flow a team goes through. */
export const cmd = {
  start: (by: Person = people.requester, p: Plan = plan): HotfixCommand => ({
    type: 'StartHotfix',
    id: 'HF-1',
    plan: p,
    by,
  }),
  approve: (by: Person, role: string, hash = deploymentHash(plan)): HotfixCommand => ({
    type: 'ApprovePlan',
    role,
    planHash: hash,
    by,
  }),
  reject: (by: Person, role: string, reason = 'too risky', hash = deploymentHash(plan)): HotfixCommand => ({
    type: 'RejectPlan',
    role,
    planHash: hash,
    reason,
    by,
  }),
  tick: (item: string, by: Person = people.tech1): HotfixCommand => ({
    type: 'TickChecklistItem',
    checklist: policy.checklists.code_readiness.includes(item) ? 'code_readiness' : 'environment_readiness',
    item,
    by,
  }),
  deploy: (by: Person = people.tech1): HotfixCommand => ({ type: 'RequestDeploy', by }),
  grant: (runId = 'deploy-1'): HotfixCommand => ({ type: 'GrantLock', runId, by: worker }),
  startStep: (
    step: string,
    runId = 'deploy-1',
    attempt = 1,
    job: { owner?: string; interruption?: string } = {},
  ): HotfixCommand => ({
    type: 'StartStep',
    runId,
    step,
    attempt,
    ...job,
    by: worker,
  }),
  succeed: (step: string, runId = 'deploy-1', attempt = 1): HotfixCommand => ({
    type: 'SucceedStep',
    runId,
    step,
    attempt,
    durationMs: 1200,
    output: 'ok',
    by: worker,
  }),
  fail: (step: string, runId = 'deploy-1', attempt = 1): HotfixCommand => ({
    type: 'FailStep',
    runId,
    step,
    attempt,
    durationMs: 900,
    output: 'HTTP 503',
    error: 'expected status 200, got 503',
    by: worker,
  }),
  confirm: (
    step: string,
    by: Person,
    outcome: 'confirmed' | 'failed' = 'confirmed',
    runId = 'deploy-1',
  ): HotfixCommand => ({
    type: 'ConfirmManualStep',
    runId,
    step,
    outcome,
    by,
  }),
  vote: (by: Person, choice: 'for' | 'against', voteId = 1): HotfixCommand => ({
    type: 'CastVote',
    voteId,
    choice,
    by,
  }),
  signOff: (by: Person, role: string): HotfixCommand => ({ type: 'SignOff', role, by }),
};

/**
 * Builders for any hotfix under any policy, each field as the edge would send it: the stories whose records
 * are goldens replay them (see fixtures/record-histories.ts).
 */
export const act = {
  start: (id: string, by: Person, p: Plan): HotfixCommand => ({ type: 'StartHotfix', id, plan: p, by }),
  edit: (by: Person, p: Plan): HotfixCommand => ({ type: 'EditPlan', plan: p, by }),
  approve: (by: Person, role: string, hash: string, comment?: string): HotfixCommand => ({
    type: 'ApprovePlan',
    role,
    planHash: hash,
    ...(comment === undefined ? {} : { comment }),
    by,
  }),
  reject: (by: Person, role: string, hash: string, reason: string): HotfixCommand => ({
    type: 'RejectPlan',
    role,
    planHash: hash,
    reason,
    by,
  }),
  tick: (checklist: Checklist, item: string, by: Person, evidence?: string): HotfixCommand => ({
    type: 'TickChecklistItem',
    checklist,
    item,
    ...(evidence === undefined ? {} : { evidence }),
    by,
  }),
  deploy: (by: Person): HotfixCommand => ({ type: 'RequestDeploy', by }),
  grant: (runId: string, by: Person = worker): HotfixCommand => ({ type: 'GrantLock', runId, by }),
  startStep: (runId: string, step: string, by: Person = worker): HotfixCommand => ({
    type: 'StartStep',
    runId,
    step,
    attempt: 1,
    by,
  }),
  succeed: (
    runId: string,
    step: string,
    result: { durationMs: number; output: string },
    by: Person = worker,
  ): HotfixCommand => ({ type: 'SucceedStep', runId, step, attempt: 1, ...result, by }),
  fail: (
    runId: string,
    step: string,
    result: { durationMs: number; output: string; error: string },
    by: Person = worker,
  ): HotfixCommand => ({ type: 'FailStep', runId, step, attempt: 1, ...result, by }),
  confirm: (runId: string, step: string, by: Person, note?: string): HotfixCommand => ({
    type: 'ConfirmManualStep',
    runId,
    step,
    outcome: 'confirmed',
    ...(note === undefined ? {} : { note }),
    by,
  }),
  monitor: (
    check: string,
    round: number,
    detail: string,
    by: Person,
    measurement?: MonitorMeasurement,
  ): HotfixCommand => ({
    type: 'RecordMonitorCheck',
    check,
    round,
    passed: true,
    detail,
    ...(measurement === undefined ? {} : { measurement }),
    by,
  }),
  breach: (
    check: string,
    round: number,
    detail: string,
    by: Person,
    measurement?: MonitorMeasurement,
  ): HotfixCommand => ({
    type: 'RecordMonitorCheck',
    check,
    round,
    passed: false,
    detail,
    ...(measurement === undefined ? {} : { measurement }),
    by,
  }),
  acceptBreaches: (by: Person, reason: string): HotfixCommand => ({ type: 'AcceptBreaches', reason, by }),
  remind: (about: ReminderAbout, subject: string, round: 1 | 2, by: Person = worker): HotfixCommand => ({
    type: 'SendReminder',
    about,
    subject,
    round,
    by,
  }),
  closeWindow: (by: Person): HotfixCommand => ({ type: 'CloseMonitoringWindow', by }),
  vote: (by: Person, voteId: number, choice: 'for' | 'against'): HotfixCommand => ({
    type: 'CastVote',
    voteId,
    choice,
    by,
  }),
  logIssue: (by: Person, text: string): HotfixCommand => ({ type: 'LogIssue', text, by }),
  resolve: (by: Person, issueId: number, note?: string): HotfixCommand => ({
    type: 'ResolveIssue',
    issueId,
    ...(note === undefined ? {} : { note }),
    by,
  }),
  workaround: (by: Person, issueId: number, text: string): HotfixCommand => ({
    type: 'SetWorkaround',
    issueId,
    text,
    by,
  }),
  observe: (by: Person, text: string): HotfixCommand => ({ type: 'NoteObservation', text, by }),
  doc: (by: Person, item: DocItem, done = true): HotfixCommand => ({
    type: 'TickDocumentationUpdate',
    item,
    done,
    by,
  }),
  lesson: (by: Person, text: string): HotfixCommand => ({ type: 'NoteLessonsLearned', text, by }),
  signOff: (by: Person, role: string): HotfixCommand => ({ type: 'SignOff', role, by }),
  close: (by: Person): HotfixCommand => ({ type: 'CloseHotfix', by }),
};

const allItems = [...policy.checklists.code_readiness, ...policy.checklists.environment_readiness];

export const DEPLOY_STEPS = {
  backup: 'preparation.payments-api.0',
  code: 'execution.payments-api.0',
  check: 'verification.payments-api.0',
  manual: 'verification.payments-api.1',
} as const;

type Scenario = { history: HotfixEvent[]; state: HotfixState };

export const started = (): Scenario => play([[cmd.start()]]);

export const approvedAndReady = (): Scenario =>
  play(
    [
      [cmd.approve(people.tech1, 'technical')],
      [cmd.approve(people.manager, 'management')],
      ...allItems.map((i) => [cmd.tick(i)] as const),
    ],
    {},
    started().history,
  );

export const deploying = (): Scenario =>
  play([[cmd.deploy()], [cmd.grant()]], {}, approvedAndReady().history);

/** Deploy ran through preparation and execution; the verification check is running. */
export const verifying = (): Scenario =>
  play(
    [
      [cmd.startStep(DEPLOY_STEPS.backup)],
      [cmd.succeed(DEPLOY_STEPS.backup)],
      [cmd.startStep(DEPLOY_STEPS.code)],
      [cmd.succeed(DEPLOY_STEPS.code)],
      [cmd.startStep(DEPLOY_STEPS.check)],
    ],
    {},
    deploying().history,
  );

export const monitoring = (): Scenario =>
  play(
    [
      [cmd.succeed(DEPLOY_STEPS.check)],
      [cmd.startStep(DEPLOY_STEPS.manual)],
      [cmd.confirm(DEPLOY_STEPS.manual, people.biz), minutes(5)],
    ],
    {},
    verifying().history,
  );

/** Monitoring, and the window's one check passed a round at minute 10. */
export const observed = (): Scenario =>
  play(
    [[act.monitor('payments-api/Health', 1, 'status 200', worker), minutes(10)]],
    {},
    monitoring().history,
  );

/** The window closed at minute 35 without one round of its check (the monitor never ran): breach review. */
export const unobserved = (): Scenario =>
  play([[{ type: 'CloseMonitoringWindow', by: worker }, minutes(35)]], {}, monitoring().history);

/** The window closed clean: its one check reported and passed. */
export const verified = (): Scenario =>
  play([[{ type: 'CloseMonitoringWindow', by: worker }, minutes(40)]], {}, observed().history);

/** The verification check failed; policy `propose` opened vote #1. */
export const failedVerification = (): Scenario =>
  play([[cmd.fail(DEPLOY_STEPS.check)]], {}, verifying().history);
