import type { HotfixCommand } from '../../../src/domain/hotfix/commands.ts';
import { decide } from '../../../src/domain/hotfix/decide.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import { DOC_ITEMS } from '../../../src/domain/hotfix/events.ts';
import type { Person } from '../../../src/domain/hotfix/people.ts';
import { systemActor } from '../../../src/domain/hotfix/people.ts';
import type { Plan } from '../../../src/domain/hotfix/plan.ts';
import type { Policy, ServicePolicy, StepSpec } from '../../../src/domain/hotfix/policy.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve, fold, initialState } from '../../../src/domain/hotfix/state.ts';
import type { StoredEvent } from '../../../src/service/ports.ts';
import { exampleSpec } from '../../domain/fixtures/specs.ts';

/*
 * A deliberately huge hotfix: 10 services, 40 deploy steps, 18 checklist items with long labels, a 5000-char
 * summary full of mrkdwn control characters, 40 code-change lines, many approvals, rejections, issues,
 * observations, a failed step with 100 lines of output, a breached monitoring window and a failed vote.
 * Every surface rendered from it must still fit its platform's limits (Slack's Block Kit, Teams' card size).
 */

const slack = (id: string, name: string): Person => ({ platform: 'slack', id, name });
const many = (prefix: string, role: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    slack(`U0${prefix}${i}`, `${role} person ${i} with a fairly long display name`),
  );

export const crew = {
  requester: slack('U0REQ', 'Rhea Requester'),
  tech: many('TECH', 'Technical', 6),
  mgmt: many('MGR', 'Manager', 3),
  biz: many('BIZ', 'Business', 3),
  sup: many('SUP', 'Support', 3),
  worker: systemActor('worker'),
  monitor: systemActor('monitor'),
  checker: systemActor('checker'),
};

export const SERVICES = Array.from({ length: 10 }, (_, i) => `service-number-${i}-with-a-long-name`);

const spec = (name: string, kind: StepSpec['kind'] = 'run', roles: string[] = []): StepSpec =>
  exampleSpec(name, kind, { roles });

const service = (i: number): ServicePolicy => ({
  deploy: {
    preparation: [spec(`System backup of the primary and replica databases for service ${i}`)],
    execution: [
      spec('Code deployment with canary and progressive traffic shifting'),
      spec('Service restart'),
    ],
    verification: [
      i === 0
        ? spec('User validation of checkout', 'manual', ['business', 'technical'])
        : spec('System check', 'check'),
    ],
  },
  rollback: { execution: [spec('Code rollback')], verification: [spec('System check', 'check')] },
  monitor: [
    { name: 'Health endpoint answers 200', everyMs: 60_000 },
    { name: 'p99 latency under 300ms', everyMs: 60_000 },
  ],
});

const longLabel = (i: number) =>
  `Checklist item ${i}: confirm that everything about this particular aspect of the release has been double-checked by someone`;

export const largePolicy: Policy = {
  people: {
    technical: [crew.requester, ...crew.tech],
    management: crew.mgmt,
    business: crew.biz,
    support: crew.sup,
  },
  approvals: { technical: 3, management: 2, business: 1, support: 1 },
  selfApproval: false,
  signoffs: ['technical', 'business', 'support'],
  verificationPeriodMs: 30 * 60_000,
  verificationPeriodMinMs: 5 * 60_000,
  verificationPeriodMaxMs: 24 * 60 * 60_000,
  deployers: ['technical'],
  closers: ['technical'],
  reminders: {},
  rollback: {
    onFailure: 'propose',
    vote: {
      eligible: ['technical', 'support', 'management'],
      quorum: 3,
      require: ['management'],
      expiresAfterMs: 15 * 60_000,
    },
  },
  checklists: {
    code_readiness: Array.from({ length: 12 }, (_, i) => longLabel(i)),
    environment_readiness: Array.from({ length: 6 }, (_, i) => `Environment item ${i}`),
  },
  derivedItems: { code_readiness: {}, environment_readiness: {} },
  services: Object.fromEntries(SERVICES.map((name, i) => [name, service(i)])),
};

const noisy =
  'Payments <!channel> & <@U0EVIL> fail *hard* when `retries` > 3 — see <https://evil.example|this>. ';

export const largePlan: Plan = {
  issueId: 'INC-2026-0042-PAYMENTS-DOUBLE-CHARGE-ON-RETRY-WITH-A-VERY-LONG-ISSUE-IDENTIFIER',
  version: '2026.11.26-hotfix.3+build.9f8e7d6c5b4a',
  previousVersion: '2026.11.26-hotfix.2+build.1a2b3c4d5e6f',
  summary: noisy.repeat(60).slice(0, 5000),
  severity: 'critical',
  services: SERVICES,
  changes: {
    code: Array.from(
      { length: 40 },
      (_, i) => `https://git.example.com/acme/payments/pull/${1000 + i}/files#diff-src-refunds-${i}`,
    ),
    database: Array.from({ length: 10 }, (_, i) => `migrations/2026-11-26-${i}-add-index-on-refunds.sql`),
    config: Array.from({ length: 10 }, (_, i) => `REFUND_FLAG_${i}=true`),
  },
  dependencies: {
    systems: Array.from({ length: 8 }, (_, i) => `ledger-system-${i}`),
    services: Array.from({ length: 8 }, (_, i) => `notification-service-${i}`),
    databases: ['payments-db (primary)', 'payments-db (replica)'],
    external: ['Stripe Refunds API', 'Adyen', 'PayPal'],
  },
  timeline: {
    start: '2026-11-26T03:30:00.000Z',
    durationEstimate: '2h',
    targetCompletion: '2026-11-26T05:30:00.000Z',
    verificationPeriod: '30m',
  },
  resources: { technical: crew.tech, support: crew.sup, business: crew.biz, management: crew.mgmt },
};

export const T0 = Date.parse('2026-11-26T03:00:00.000Z');

export interface Snapshot {
  readonly label: string;
  readonly state: HotfixState;
  readonly now: Date;
}

export interface LargeHotfix {
  readonly history: HotfixEvent[];
  readonly stored: StoredEvent[];
  readonly final: HotfixState;
  /** States worth rendering: planning, deploying, failed, monitoring with a vote, verified, closed. */
  readonly snapshots: Snapshot[];
}

/** Plays the whole large hotfix through `decide`, minute by minute. */
export const buildLargeHotfix = (): LargeHotfix => {
  let clock = T0;
  let state = initialState();
  const history: HotfixEvent[] = [];
  const snapshots: Snapshot[] = [];
  const run = (command: HotfixCommand, advanceMs = 60_000) => {
    clock += advanceMs;
    const events = decide(command, state, { now: new Date(clock), policy: largePolicy });
    history.push(...events);
    state = fold(events, state);
    return events;
  };
  const snap = (label: string) => snapshots.push({ label, state, now: new Date(clock + 30_000) });
  const { requester, tech, mgmt, biz, sup, worker, monitor, checker } = crew;

  run({ type: 'StartHotfix', id: 'HF-1042', plan: largePlan, by: requester });
  snap('started');
  const items = [
    ...largePolicy.checklists.code_readiness.map((item) => ['code_readiness', item] as const),
    ...largePolicy.checklists.environment_readiness.map((item) => ['environment_readiness', item] as const),
  ];
  items.forEach(([checklist, item], i) =>
    run(
      i % 4 === 0
        ? {
            type: 'TickChecklistItem',
            checklist,
            item,
            evidence: 'exit 0 after 3 attempts: '.repeat(20),
            by: checker,
          }
        : { type: 'TickChecklistItem', checklist, item, by: tech[i % tech.length] as Person },
      1000,
    ),
  );
  run({
    type: 'UntickChecklistItem',
    checklist: 'code_readiness',
    item: longLabel(3),
    by: tech[0] as Person,
  });
  run({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, by: tech[0] as Person });
  run({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, by: tech[1] as Person });
  run({
    type: 'RejectPlan',
    role: 'business',
    planHash: state.planHash,
    reason: `Too risky: ${noisy.repeat(30)}`,
    by: biz[0] as Person,
  });
  snap('planning, partly approved and rejected');
  run({
    type: 'EditPlan',
    plan: { ...largePlan, summary: `${largePlan.summary.slice(0, 4900)} (rev 2)` },
    by: requester,
  });
  run({ type: 'TickChecklistItem', checklist: 'code_readiness', item: longLabel(3), by: tech[2] as Person });
  for (const [person, role] of [
    ...tech.slice(0, 5).map((p) => [p, 'technical'] as const),
    ...mgmt.map((p) => [p, 'management'] as const),
    [biz[0], 'business'] as const,
    [sup[0], 'support'] as const,
  ])
    run({
      type: 'ApprovePlan',
      role,
      planHash: state.planHash,
      comment: 'LGTM '.repeat(50),
      by: person as Person,
    });
  for (let i = 0; i < 30; i++)
    run(
      { type: 'LogIssue', text: `Issue ${i}: ${noisy.repeat(25)}`, by: (i % 2 ? biz[1] : sup[1]) as Person },
      1000,
    );
  for (let i = 1; i <= 10; i++)
    run({ type: 'ResolveIssue', issueId: i, note: 'fixed '.repeat(100), by: tech[1] as Person }, 1000);
  for (let i = 11; i <= 15; i++)
    run({ type: 'SetWorkaround', issueId: i, text: 'restart it '.repeat(100), by: sup[0] as Person }, 1000);
  for (let i = 0; i < 5; i++)
    run(
      { type: 'NoteObservation', text: `Observation ${i}: ${noisy.repeat(10)}`, by: biz[2] as Person },
      1000,
    );
  snap('approved and ready');

  run({ type: 'RequestDeploy', planHash: state.planHash, by: tech[0] as Person });
  run({ type: 'GrantLock', runId: 'deploy-1', by: worker });
  const steps = state.runs[0]?.steps ?? [];
  const output = Array.from(
    { length: 100 },
    (_, i) => `line ${i}: \`\`\` <!here> & stack frame at refunds.ts:${i}`,
  ).join('\n');
  for (const step of steps) {
    run({ type: 'StartStep', runId: 'deploy-1', step: step.key, attempt: 1, by: worker }, 1000);
    if (step.key === steps[3]?.key) {
      run(
        {
          type: 'FailStep',
          runId: 'deploy-1',
          step: step.key,
          attempt: 1,
          durationMs: 4200,
          output,
          error: `exit 1: ${noisy.repeat(20)}`,
          by: worker,
        },
        1000,
      );
      snap('deploy failed in preparation');
      run({
        type: 'RetryStep',
        runId: 'deploy-1',
        step: step.key,
        reason: 'transient network error',
        by: tech[0] as Person,
      });
      run({ type: 'StartStep', runId: 'deploy-1', step: step.key, attempt: 2, by: worker }, 1000);
    }
    if (step.key === steps[20]?.key) snap('deploying');
    if (step.kind === 'manual') {
      snap('waiting for a manual step');
      run({
        type: 'ConfirmManualStep',
        runId: 'deploy-1',
        step: step.key,
        outcome: 'confirmed',
        note: 'checked '.repeat(50),
        by: biz[0] as Person,
      });
    } else {
      run(
        {
          type: 'SucceedStep',
          runId: 'deploy-1',
          step: step.key,
          attempt: step.key === steps[3]?.key ? 2 : 1,
          durationMs: 1234,
          output: 'ok',
          by: worker,
        },
        1000,
      );
    }
  }
  const checks = Object.keys(state.monitoring?.checks ?? {});
  for (let round = 1; round <= 3; round++)
    checks.forEach((check, i) =>
      run(
        {
          type: 'RecordMonitorCheck',
          check,
          round,
          passed: !(round === 3 && i === 5),
          detail: `p99 ${900 + i}ms `.repeat(30),
          by: monitor,
        },
        100,
      ),
    );
  snap('monitoring with an open vote');
  run({ type: 'CastVote', voteId: 1, choice: 'for', by: tech[0] as Person });
  run({ type: 'CastVote', voteId: 1, choice: 'for', by: sup[0] as Person });
  run({ type: 'CastVote', voteId: 1, choice: 'against', by: mgmt[0] as Person });
  run({ type: 'CastVote', voteId: 1, choice: 'against', by: mgmt[1] as Person });
  snap('vote nearly decided');
  run({ type: 'CastVote', voteId: 1, choice: 'against', by: mgmt[2] as Person });
  run({ type: 'CloseMonitoringWindow', by: worker }, 40 * 60_000);
  snap('verified');
  run({ type: 'SignOff', role: 'technical', by: tech[0] as Person });
  run({ type: 'SignOff', role: 'business', by: biz[0] as Person });
  DOC_ITEMS.slice(0, 5).forEach((item) =>
    run({ type: 'TickDocumentationUpdate', item, done: true, by: tech[1] as Person }, 1000),
  );
  for (let i = 0; i < 4; i++)
    run({ type: 'NoteLessonsLearned', text: `Lesson ${i}: ${noisy.repeat(20)}`, by: tech[i] as Person });
  snap('signing off');
  run({ type: 'SignOff', role: 'support', by: sup[0] as Person });
  run({ type: 'CloseHotfix', by: tech[0] as Person });
  snap('closed');

  const stored: StoredEvent[] = history.map((event, i) => ({
    hotfixId: 'HF-1042',
    position: i + 1,
    event,
    prevHash: '',
    hash: '',
  }));
  return { history, stored, final: state, snapshots };
};

/** The state before each stored event, for thread lines. */
export const statesBefore = (history: readonly HotfixEvent[]): HotfixState[] => {
  const out: HotfixState[] = [];
  let s = initialState();
  for (const e of history) {
    out.push(s);
    s = evolve(s, e);
  }
  return out;
};
