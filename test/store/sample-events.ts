import type { EventOf, HotfixEvent, HotfixEventType } from '../../src/domain/hotfix/events.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { planHash } from '../../src/domain/hotfix/plan.ts';

export const alice: Person = { platform: 'slack', id: 'U01ALICE', name: 'Alice' };
export const bob: Person = { platform: 'teams', id: '29:1bob', name: 'Bob' };
export const carol: Person = { platform: 'cli', id: 'carol' };
export const worker: Person = { platform: 'system', id: 'worker' };

export const plan: Plan = {
  issueId: 'INC-4711',
  version: '2.14.1',
  previousVersion: '2.14.0',
  summary: 'Fix double charge on retried card payments',
  severity: 'critical',
  services: ['payments', 'ledger'],
  changes: {
    code: ['https://git.example.com/pay/pull/812'],
    database: [],
    config: ['PAYMENT_RETRY_IDEMPOTENT=true'],
  },
  dependencies: { systems: ['stripe'], services: ['ledger'], databases: ['payments-pg'], external: [] },
  timeline: { start: '2026-03-02T14:00:00.000Z', durationEstimate: '45m' },
  resources: { technical: [alice], support: [bob], business: [], management: [carol] },
};

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 2, 13, minute)).toISOString();

/** One realistic event of every type; the mapped type makes a new event type fail to compile here. */
export const sampleOf: { readonly [K in HotfixEventType]: EventOf<K> } = {
  HotfixStarted: {
    type: 'HotfixStarted',
    at: at(0),
    by: alice,
    id: 'HF-1',
    plan,
    planHash: planHash(plan),
    checklists: { code_readiness: ['tests_pass', 'reviewed'], environment_readiness: ['backup_taken'] },
  },
  PlanEdited: {
    type: 'PlanEdited',
    at: at(1),
    by: alice,
    plan: { ...plan, summary: 'Fix double charge (and ledger echo)' },
    planHash: 'a1b2c3d4e5f60718',
    previousHash: planHash(plan),
  },
  ApprovalsVoided: {
    type: 'ApprovalsVoided',
    at: at(1),
    by: alice,
    planHash: planHash(plan),
    approvals: [{ role: 'tech_lead', by: bob }],
    reason: 'plan_edited',
  },
  ChecklistItemTicked: {
    type: 'ChecklistItemTicked',
    at: at(2),
    by: worker,
    checklist: 'code_readiness',
    item: 'tests_pass',
    automatic: true,
    evidence: 'https://ci.example.com/run/99',
  },
  ChecklistItemUnticked: {
    type: 'ChecklistItemUnticked',
    at: at(3),
    by: bob,
    checklist: 'code_readiness',
    item: 'reviewed',
  },
  PlanApproved: {
    type: 'PlanApproved',
    at: at(4),
    by: bob,
    role: 'tech_lead',
    planHash: planHash(plan),
    comment: 'LGTM',
  },
  PlanRejected: {
    type: 'PlanRejected',
    at: at(4),
    by: carol,
    role: 'manager',
    planHash: planHash(plan),
    reason: 'No rollback plan',
  },
  HotfixCancelled: { type: 'HotfixCancelled', at: at(5), by: alice, reason: 'Fixed upstream' },
  DeployRequested: {
    type: 'DeployRequested',
    at: at(6),
    by: alice,
    runId: 'deploy-1',
    services: ['payments', 'ledger'],
  },
  LockGranted: {
    type: 'LockGranted',
    at: at(6),
    by: worker,
    runId: 'deploy-1',
    services: ['payments', 'ledger'],
  },
  LockRefused: {
    type: 'LockRefused',
    at: at(6),
    by: worker,
    runId: 'deploy-1',
    service: 'ledger',
    heldBy: 'HF-9',
    since: at(1),
  },
  PipelineStarted: {
    type: 'PipelineStarted',
    at: at(7),
    by: worker,
    runId: 'deploy-1',
    kind: 'deploy',
    steps: [
      {
        key: 'preparation.payments.0',
        stage: 'preparation',
        service: 'payments',
        index: 0,
        name: 'migrate',
        kind: 'run',
        roles: [],
      },
      {
        key: 'verification.payments.0',
        stage: 'verification',
        service: 'payments',
        index: 0,
        name: 'smoke',
        kind: 'manual',
        roles: ['qa'],
      },
    ],
  },
  StepStarted: {
    type: 'StepStarted',
    at: at(7),
    by: worker,
    runId: 'deploy-1',
    step: 'preparation.payments.0',
    attempt: 1,
  },
  StepSucceeded: {
    type: 'StepSucceeded',
    at: at(8),
    by: worker,
    runId: 'deploy-1',
    step: 'preparation.payments.0',
    attempt: 1,
    durationMs: 41_250,
    output: 'Applied 2 migrations',
  },
  StepFailed: {
    type: 'StepFailed',
    at: at(8),
    by: worker,
    runId: 'deploy-1',
    step: 'preparation.payments.0',
    attempt: 2,
    durationMs: 900,
    output: 'psql: connection refused',
    error: 'exit code 2',
  },
  StepReopened: {
    type: 'StepReopened',
    at: at(9),
    by: bob,
    runId: 'deploy-1',
    step: 'execution.api.0',
    reason: 'flaky network',
  },
  StepSkipped: {
    type: 'StepSkipped',
    at: at(9),
    by: bob,
    runId: 'deploy-1',
    step: 'verification.payments.0',
    reason: 'Covered by canary',
  },
  ManualStepConfirmed: {
    type: 'ManualStepConfirmed',
    at: at(9),
    by: bob,
    runId: 'deploy-1',
    step: 'verification.payments.0',
    outcome: 'confirmed',
    note: 'Charged a test card once',
  },
  StagePassed: { type: 'StagePassed', at: at(10), by: worker, runId: 'deploy-1', stage: 'preparation' },
  StageFailed: {
    type: 'StageFailed',
    at: at(10),
    by: worker,
    runId: 'deploy-1',
    stage: 'execution',
    step: 'execution.payments.0',
  },
  GatePassed: { type: 'GatePassed', at: at(11), by: worker, runId: 'deploy-1', gate: 'deployment' },
  GateFailed: {
    type: 'GateFailed',
    at: at(11),
    by: worker,
    runId: 'deploy-1',
    gate: 'verification',
    reason: 'error rate 4%',
  },
  PipelineAborted: {
    type: 'PipelineAborted',
    at: at(12),
    by: alice,
    runId: 'deploy-1',
    reason: 'Wrong build',
  },
  MonitoringStarted: {
    type: 'MonitoringStarted',
    at: at(12),
    by: worker,
    until: at(42),
    checks: ['error_rate', 'p99'],
  },
  MonitorCheckPassed: { type: 'MonitorCheckPassed', at: at(13), by: worker, check: 'error_rate', round: 1 },
  MonitorCheckBreached: {
    type: 'MonitorCheckBreached',
    at: at(14),
    by: worker,
    check: 'p99',
    round: 2,
    detail: 'p99 1.8s > 1.2s',
  },
  MonitoringWindowClosed: { type: 'MonitoringWindowClosed', at: at(42), by: worker, clean: true },
  RollbackProposed: {
    type: 'RollbackProposed',
    at: at(15),
    by: worker,
    voteId: 1,
    trigger: 'failed_check',
    reason: 'p99 breached',
    automatic: true,
    expiresAt: at(25),
  },
  VoteCast: { type: 'VoteCast', at: at(16), by: bob, voteId: 1, choice: 'for', roles: ['tech_lead'] },
  VotePassed: { type: 'VotePassed', at: at(17), by: worker, voteId: 1, for: 2, against: 0 },
  VoteFailed: { type: 'VoteFailed', at: at(17), by: worker, voteId: 2, for: 1, against: 2 },
  VoteExpired: { type: 'VoteExpired', at: at(25), by: worker, voteId: 3, for: 0, against: 0 },
  RollbackStarted: {
    type: 'RollbackStarted',
    at: at(18),
    by: worker,
    runId: 'rollback-1',
    voteId: 1,
    automatic: false,
    reason: 'p99 breached',
  },
  RollbackFinished: { type: 'RollbackFinished', at: at(20), by: worker, runId: 'rollback-1' },
  RollbackFailed: {
    type: 'RollbackFailed',
    at: at(20),
    by: worker,
    runId: 'rollback-1',
    step: 'execution.payments.0',
  },
  IssueLogged: { type: 'IssueLogged', at: at(21), by: bob, issueId: 1, text: 'Ledger lagging 2 min' },
  IssueResolved: { type: 'IssueResolved', at: at(22), by: bob, issueId: 1 },
  WorkaroundSet: {
    type: 'WorkaroundSet',
    at: at(22),
    by: alice,
    issueId: 1,
    text: 'Replay ledger queue by hand',
  },
  ObservationNoted: {
    type: 'ObservationNoted',
    at: at(23),
    by: carol,
    text: 'Support tickets dropped to zero',
  },
  DocumentationUpdateTicked: {
    type: 'DocumentationUpdateTicked',
    at: at(50),
    by: alice,
    item: 'process.lessons_learned',
    done: true,
  },
  LessonsLearnedNoted: {
    type: 'LessonsLearnedNoted',
    at: at(51),
    by: alice,
    text: 'Idempotency keys on every retry path',
  },
  SignedOff: { type: 'SignedOff', at: at(52), by: carol, role: 'manager' },
  HotfixClosed: { type: 'HotfixClosed', at: at(53), by: alice },
};

/** A hotfix from start to just before close, as the domain would record it. */
export const startedAs = (id: string, by: Person = alice): EventOf<'HotfixStarted'> => ({
  ...sampleOf.HotfixStarted,
  id,
  by,
});

export const opening = (id: string): HotfixEvent[] => [
  startedAs(id),
  sampleOf.ChecklistItemTicked,
  sampleOf.PlanApproved,
];

export const noted = (text: string): EventOf<'ObservationNoted'> => ({ ...sampleOf.ObservationNoted, text });
export const closed: HotfixEvent = sampleOf.HotfixClosed;
export const cancelled: HotfixEvent = sampleOf.HotfixCancelled;
