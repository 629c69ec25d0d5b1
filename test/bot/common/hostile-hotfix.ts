import fc from 'fast-check';
import type { HotfixCommand } from '../../../src/domain/hotfix/commands.ts';
import { decide } from '../../../src/domain/hotfix/decide.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { Person } from '../../../src/domain/hotfix/people.ts';
import type { Plan } from '../../../src/domain/hotfix/plan.ts';
import { deploymentHash } from '../../../src/domain/hotfix/plan.ts';
import type { Policy, StepSpec } from '../../../src/domain/hotfix/policy.ts';
import { currentRun, openVote } from '../../../src/domain/hotfix/queries.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { fold, initialState } from '../../../src/domain/hotfix/state.ts';
import { plan as basePlan, policy as basePolicy, T0 } from '../../domain/fixtures/policy.ts';

/*
 * What both edges' hostile-text tests play: a whole hotfix where every text a person, a config or a step's
 * output can put on a surface is hostile. Each edge brings its own atoms (what its markup would act on) and
 * its own cast (Slack or Teams people).
 */

/** Hostile text built from an edge's atoms and random binary strings; never empty. */
export const hostileText = (atoms: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...atoms),
      fc.array(fc.oneof(fc.constantFrom(...atoms), fc.string({ unit: 'binary', maxLength: 10 })), {
        maxLength: 3,
      }),
    )
    .map(([first, rest]) => `x${first}${rest.join('')}`);

// eslint-disable-next-line no-control-regex -- the characters that must not reach a text field or a card
export const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** A configured step, as a run records it (argv and the manual instruction are config text too). */
const step = (name: string, manual?: string): StepSpec =>
  (manual === undefined
    ? {
        name,
        kind: 'run',
        roles: [],
        tags: [],
        attempts: 1,
        run: ['deploy', '{{plan.version}}'],
        env: {},
        secret_env: [],
      }
    : { name, kind: 'manual', roles: ['business', 'technical'], tags: [], attempts: 1, manual }) as StepSpec;

const ANYTHING = { pattern: '', hint: 'anything' };

/** Who plays the hotfix, with hostile names. */
export interface HostileCast {
  readonly requester: Person;
  readonly tech1: Person;
  readonly tech2: Person;
  readonly manager: Person;
  readonly biz: Person;
  readonly support: Person;
  /** The config's people by role. */
  readonly people: Policy['people'];
  /** The plan's technical resources. */
  readonly technical: readonly Person[];
  /** Ticks the checklist items after the first (an automatic check ticks the first, with evidence). */
  readonly ticker: Person;
}

export interface PlayOptions {
  /** Steps that succeed are dry runs, whose output the thread shows. */
  readonly dryRun?: boolean;
}

export interface Played {
  readonly history: HotfixEvent[];
  readonly states: HotfixState[];
  readonly policy: Policy;
}

/** Plays the hostile hotfix from plan to close: `t` gives the next hostile text. */
export const playHostileHotfix = (t: () => string, cast: HostileCast, options: PlayOptions = {}): Played => {
  const worker: Person = { platform: 'system', id: 'worker' };
  const policy: Policy = {
    ...basePolicy,
    people: cast.people,
    checklists: { code_readiness: [t(), `${t()} 2`], environment_readiness: [t()] },
    services: {
      'payments-api': {
        deploy: { preparation: [step(t())], execution: [step(t())], verification: [step(t(), t())] },
        rollback: { execution: [step(t())] },
        monitor: [{ name: t(), everyMs: 60_000 }],
      },
    },
    // Streams recorded before plan fields were checked may hold any text: the renderers must cope.
    planFields: { issueId: ANYTHING, version: ANYTHING, previousVersion: ANYTHING, summary: ANYTHING },
  };
  const plan: Plan = {
    ...basePlan,
    issueId: t(),
    version: t(),
    previousVersion: t(),
    summary: t(),
    changes: { code: [t()], database: [t()], config: [] },
    dependencies: { systems: [t()], services: [t()], databases: [], external: [t()] },
    timeline: { durationEstimate: t() },
    resources: { technical: [...cast.technical], support: [], business: [cast.biz], management: [] },
  };
  let state = initialState();
  let clock = T0.getTime();
  const history: HotfixEvent[] = [];
  const states: HotfixState[] = [];
  /** `snapshot: false`: a step whose state adds nothing new to render (each state costs every surface). */
  const run = (command: HotfixCommand, advanceMs = 60_000, snapshot = true) => {
    clock += advanceMs;
    const events = decide(command, state, { now: new Date(clock), policy });
    history.push(...events);
    state = fold(events, state);
    if (snapshot) states.push(state);
  };
  // Streams recorded before plan fields were checked may hold any text of any length, where decide now refuses
  // an over-long issue ID or version: the start is recorded as such a stream holds it.
  const unchecked = { issueId: plan.issueId, version: plan.version, previousVersion: plan.previousVersion };
  run({
    type: 'StartHotfix',
    id: 'HF-1',
    plan: { ...plan, issueId: 'INC-1', version: '1', previousVersion: '0' },
    by: cast.requester,
  });
  const [checked] = history;
  if (checked?.type !== 'HotfixStarted') throw new Error('the hostile hotfix did not start');
  const storedPlan = { ...checked.plan, ...unchecked };
  history[0] = { ...checked, plan: storedPlan, planHash: deploymentHash(storedPlan) };
  state = fold(history);
  states[0] = state;
  run({ type: 'RejectPlan', role: 'management', planHash: state.planHash, reason: t(), by: cast.manager });
  run({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, comment: t(), by: cast.tech1 });
  run({ type: 'ApprovePlan', role: 'management', planHash: state.planHash, comment: t(), by: cast.manager });
  const items = [
    ...policy.checklists.code_readiness.map((item) => ['code_readiness', item] as const),
    ...policy.checklists.environment_readiness.map((item) => ['environment_readiness', item] as const),
  ];
  items.forEach(([checklist, item], i) =>
    run({
      type: 'TickChecklistItem',
      checklist,
      item,
      ...(i === 0 ? { evidence: t(), by: { platform: 'system', id: 'checker' } } : { by: cast.ticker }),
    }),
  );
  // Two issues with the same text from one person are one issue (a repeat): number them apart.
  run({ type: 'LogIssue', text: `1 ${t()}`, by: cast.biz });
  run({ type: 'SetWorkaround', issueId: 1, text: t(), by: cast.support });
  run({ type: 'LogIssue', text: `2 ${t()}`, by: cast.biz });
  run({ type: 'ResolveIssue', issueId: 2, note: t(), by: cast.tech2 });
  run({ type: 'ReopenIssue', issueId: 2, reason: t(), by: cast.biz });
  run({ type: 'ResolveIssue', issueId: 2, note: t(), by: cast.tech2 });
  run({ type: 'NoteObservation', text: t(), by: cast.biz });
  run({ type: 'RequestDeploy', planHash: state.planHash, by: cast.tech1 });
  const requested = history.findLast((e) => e.type === 'DeployRequested');
  const runId = requested?.type === 'DeployRequested' ? requested.runId : '';
  run({ type: 'GrantLock', runId, by: worker });
  const drive = (failFirst: boolean) => {
    for (let i = 0; i < 10; i++) {
      const r = currentRun(state);
      const s = r?.steps.find((x) => x.status === 'running') ?? r?.steps.find((x) => x.status === 'pending');
      if (!r || r.status !== 'running' || !s) return;
      const base = { runId: r.id, step: s.key, by: worker };
      if (s.status === 'pending') run({ type: 'StartStep', ...base, attempt: s.attempt + 1 });
      else if (s.kind === 'manual')
        run({ type: 'ConfirmManualStep', ...base, outcome: 'confirmed', note: t(), by: cast.biz });
      else if (failFirst && i === 0)
        run({ type: 'FailStep', ...base, attempt: s.attempt, durationMs: 5, output: t(), error: t() });
      else
        run({
          type: 'SucceedStep',
          ...base,
          attempt: s.attempt,
          durationMs: 5,
          output: t(),
          ...(options.dryRun ? { dryRun: true } : {}),
        });
    }
  };
  drive(true);
  const failed = currentRun(state)?.steps.find((s) => s.status === 'failed');
  if (failed) run({ type: 'SkipStep', runId, step: failed.key, reason: t(), by: cast.tech1 });
  drive(false);
  const check = Object.keys(state.monitoring?.checks ?? {})[0];
  if (check) run({ type: 'RecordMonitorCheck', check, round: 1, passed: false, detail: t(), by: worker });
  if (!openVote(state)) run({ type: 'ProposeRollback', trigger: 'data_issue', reason: t(), by: cast.tech1 });
  const voteId = openVote(state)?.id ?? 1;
  run({ type: 'CastVote', voteId, choice: 'against', by: cast.manager });
  if (openVote(state)) run({ type: 'ExpireVote', voteId, by: worker }, 20 * 60_000);
  run({ type: 'CloseMonitoringWindow', by: worker }, 60 * 60_000);
  // The first acceptance shows a hostile reason on the card; the others render alike.
  run({ type: 'AcceptBreaches', reason: t(), by: cast.tech1 });
  for (const by of [cast.biz, cast.support]) run({ type: 'AcceptBreaches', reason: t(), by }, 60_000, false);
  for (const [role, by] of [
    ['technical', cast.tech1],
    ['business', cast.biz],
    ['support', cast.support],
  ] as const)
    run({ type: 'SignOff', role, by });
  run({ type: 'NoteLessonsLearned', text: t(), by: cast.tech2 });
  run({ type: 'CloseHotfix', by: cast.tech1 });
  return { history, states, policy };
};
