import type { Checklist, HotfixEvent, MonitorMeasurement, VoteChoice } from './events.ts';
import { CHECKLISTS, DOC_ITEMS, shownOnlyEdit } from './events.ts';
import type {
  BallotRecord,
  DecisionRecord,
  DeploymentRecord,
  FeedbackRecord,
  IssueRecord,
  MonitorValueRecord,
  PerformanceRecord,
  PersonRef,
  PlanEditRef,
  ReadinessItemRecord,
  RunRecord,
  ServiceExecution,
  ServiceRecord,
  Spread,
  Stamped,
  StepRecord,
  StepSpecRecord,
  SystemCheckStatus,
  TimelineEntry,
  VoteRecord,
} from './deployment-record.ts';
import { MAX_DISTINCT_VALUES, RECORD_SCHEMA_VERSION } from './deployment-record.ts';
import { DOC_ITEM_LABELS, describeEvent, stepOf } from './describe-event.ts';
import { clockface, trimOutput } from './format.ts';
import type { Person, PersonKey, Role } from './people.ts';
import { displayName, personKey } from './people.ts';
import type { JsonValue, Stage, StepSpec } from './policy.ts';
import { STAGES } from './policy.ts';
import type { ChecklistItemView, ReadinessPolicy } from './queries.ts';
import { checklistItems } from './queries.ts';
import type { HotfixState, Run } from './state.ts';
import { evolve, initialState, standingOf } from './state.ts';

/*
 * The deployment record (the seed's "Deployment Documentation") of one hotfix, built from its events:
 * `buildRecord` gives the JSON shape (deployment-record.ts), `renderRecordMarkdown` and `renderRecordJson`
 * print it. Pure: times are printed in the zone the caller passes, never the machine's.
 */

export * from './deployment-record.ts';
export { renderRecordMarkdown } from './record-markdown.ts';

export interface RecordOptions {
  /** IANA zone for printed times (config `timezone`). */
  readonly timezone: string;
  /** The stream's hash-chain head and length, when the store keeps one. */
  readonly chain?: { readonly head: string; readonly count: number };
  /** Roles expected to sign off (policy `signoffs`); default the seed's technical, business, support. */
  readonly signoffRoles?: readonly Role[];
  /**
   * Who an actor is under today's config (the policy's `identify`), so the record shows configured names and
   * counts a human once even in events recorded before the config named them; recorded as they are when absent.
   */
  readonly identify?: (who: Person) => Person;
  /**
   * The approvals and derived checklist items of today's config, so a derived item ("Approvals received")
   * shows as the cards show it: ticked by the approval gate. Without it, items show as recorded.
   */
  readonly readiness?: ReadinessPolicy;
}

export const DEFAULT_SIGNOFF_ROLES: readonly Role[] = ['technical', 'business', 'support'];

const ref = (p: Person): PersonRef => ({
  platform: p.platform,
  id: p.id,
  ...(p.person === undefined ? {} : { person: p.person }),
  name: displayName(p),
});

const identityKey = (p: Person): string => `${p.platform}:${p.id}`;

/**
 * A person the plan names, as the record shows them: as the config knows them (its name or handle), else
 * under the name they acted under in this hotfix, else as recorded (a form's picker records only the id).
 */
const planPersonRef =
  (h: History, identify: RecordOptions['identify']) =>
  (p: Person): PersonRef => {
    const known = identify === undefined ? p : identify(p);
    if (known.name !== undefined || known.person !== undefined) return ref(known);
    const acted = h.actorNames.get(identityKey(p));
    return ref(acted === undefined ? known : { ...known, name: acted });
  };

/** The event with its actors as `identify` knows them. */
const identified = (event: HotfixEvent, identify: (who: Person) => Person): HotfixEvent =>
  event.type === 'ApprovalsVoided'
    ? {
        ...event,
        by: identify(event.by),
        approvals: event.approvals.map((a) => ({ ...a, by: identify(a.by) })),
      }
    : { ...event, by: identify(event.by) };

const stamped = (s: { by: Person; at: string }): Stamped => ({ by: ref(s.by), at: s.at });

interface MutableDecision {
  decision: 'approved' | 'rejected';
  role: Role;
  by: Person;
  at: string;
  planHash: string;
  comment: string | null;
  reason: string | null;
  status: DecisionRecord['status'];
  voidedBy: PlanEditRef | null;
}

interface MutableBallot {
  by: Person;
  choice: VoteChoice;
  roles: readonly Role[];
  at: string;
  changedFrom: { choice: VoteChoice; at: string }[];
}

/** What the record needs that the state forgets: voided approvals, changed ballots, stage times… */
interface History {
  readonly revisionOf: Map<string, number>;
  readonly edits: (PlanEditRef & { hash: string; previousHash: string })[];
  readonly decisions: MutableDecision[];
  readonly stageResults: Map<string, { at: string; failedStep: string | null }>;
  readonly aborted: Map<string, Stamped & { reason: string }>;
  readonly triggers: Map<string, NonNullable<RunRecord['trigger']>>;
  readonly rollbackFailedAt: Map<string, string>;
  readonly ballots: Map<number, Map<PersonKey, MutableBallot>>;
  readonly tallies: Map<number, { for: number; against: number }>;
  readonly breaches: { check: string; at: string; detail: string }[];
  /** What each monitor round measured, per check, in the order recorded. */
  readonly measurements: Map<string, MonitorMeasurement[]>;
  readonly feedback: FeedbackRecord[];
  readonly timeline: TimelineEntry[];
  readonly executionPassedAt: Map<string, string>;
  /** Breaches the monitoring window closed with, when it closed not clean (breaches or unobserved checks). */
  windowBreaches: number | null;
  /** The name each platform identity acted under (`platform:id` → name), for the plan's people. */
  readonly actorNames: Map<string, string>;
}

const stageKey = (runId: string, stage: Stage) => `${runId}:${stage}`;

/**
 * Builds the record of a hotfix from its events (oldest first), in one pass that folds the state alongside.
 * Total over valid histories: a hotfix still in planning, cancelled, or with no events at all.
 * Throws a RangeError when `timezone` is not an IANA zone.
 */
export const buildRecord = (events: readonly HotfixEvent[], options: RecordOptions): DeploymentRecord => {
  clockface(options.timezone); // fail now on an unknown zone, not when the record is printed
  const h: History = {
    revisionOf: new Map(),
    edits: [],
    decisions: [],
    stageResults: new Map(),
    aborted: new Map(),
    triggers: new Map(),
    rollbackFailedAt: new Map(),
    ballots: new Map(),
    tallies: new Map(),
    breaches: [],
    measurements: new Map(),
    feedback: [],
    timeline: [],
    executionPassedAt: new Map(),
    windowBreaches: null,
    actorNames: new Map(),
  };
  let state = initialState();
  const { identify } = options;
  for (const event of identify === undefined ? events : events.map((e) => identified(e, identify))) {
    collect(h, state, event);
    state = evolve(state, event);
  }
  return assemble(state, h, events.length, options);
};

/** Notes what one event adds to the history, reading it against the state just before it. */
const collect = (h: History, state: HotfixState, event: HotfixEvent): void => {
  const text = describeEvent(event, state);
  if (text !== null) h.timeline.push({ at: event.at, by: ref(event.by), type: event.type, text });
  const actorName = event.by.name ?? event.by.person;
  if (actorName !== undefined) h.actorNames.set(identityKey(event.by), actorName);
  switch (event.type) {
    case 'HotfixStarted':
      h.revisionOf.set(event.planHash, 1);
      return;
    case 'PlanEdited': {
      const revision = state.planRevision + 1;
      const edit = {
        revision,
        by: ref(event.by),
        at: event.at,
        hash: event.planHash,
        previousHash: event.previousHash,
      };
      h.edits.push(edit);
      // The hash still names the revision that first had it; its answers stand.
      if (shownOnlyEdit(event)) return;
      h.revisionOf.set(event.planHash, revision);
      // evolve clears standing rejections on an edit.
      for (const d of h.decisions) {
        if (d.decision === 'rejected' && d.status === 'standing') {
          d.status = 'voided';
          d.voidedBy = editRef(edit);
        }
      }
      return;
    }
    case 'ApprovalsVoided': {
      const edit = h.edits.at(-1);
      for (const d of h.decisions) {
        if (d.decision === 'approved' && d.status === 'standing') {
          d.status = 'voided';
          d.voidedBy = edit ? editRef(edit) : null;
        }
      }
      return;
    }
    case 'PlanApproved':
    case 'PlanRejected': {
      const who = personKey(event.by);
      const other = event.type === 'PlanApproved' ? 'rejected' : 'approved';
      for (const d of h.decisions) {
        if (d.decision === other && d.status === 'standing' && personKey(d.by) === who)
          d.status = 'withdrawn';
      }
      h.decisions.push({
        decision: event.type === 'PlanApproved' ? 'approved' : 'rejected',
        role: event.role,
        by: event.by,
        at: event.at,
        planHash: event.planHash,
        comment: event.type === 'PlanApproved' ? (event.comment ?? null) : null,
        reason: event.type === 'PlanRejected' ? event.reason : null,
        status: 'standing',
        voidedBy: null,
      });
      return;
    }
    case 'StagePassed':
    case 'StageFailed': {
      const failed =
        event.type === 'StageFailed' ? (stepOf(state, event.runId, event.step)?.name ?? event.step) : null;
      h.stageResults.set(stageKey(event.runId, event.stage), { at: event.at, failedStep: failed });
      const run = state.runs.find((r) => r.id === event.runId);
      if (event.type === 'StagePassed' && event.stage === 'execution' && run?.kind === 'deploy') {
        h.executionPassedAt.set(event.runId, event.at);
      }
      return;
    }
    case 'PipelineAborted':
      h.aborted.set(event.runId, { ...stamped(event), reason: event.reason });
      return;
    case 'RollbackStarted':
      h.triggers.set(event.runId, {
        ...stamped(event),
        voteId: event.voteId ?? null,
        automatic: event.automatic,
        reason: event.reason,
      });
      return;
    case 'RollbackFailed':
      h.rollbackFailedAt.set(event.runId, stepOf(state, event.runId, event.step)?.name ?? event.step);
      return;
    case 'VoteCast': {
      const ballots = h.ballots.get(event.voteId) ?? new Map<PersonKey, MutableBallot>();
      h.ballots.set(event.voteId, ballots);
      const key = personKey(event.by);
      const prior = ballots.get(key);
      if (prior) {
        if (prior.choice !== event.choice) prior.changedFrom.push({ choice: prior.choice, at: prior.at });
        prior.by = event.by;
        prior.choice = event.choice;
        prior.roles = event.roles;
        prior.at = event.at;
      } else {
        ballots.set(key, {
          by: event.by,
          choice: event.choice,
          roles: event.roles,
          at: event.at,
          changedFrom: [],
        });
      }
      return;
    }
    case 'VotePassed':
    case 'VoteFailed':
    case 'VoteExpired':
      h.tallies.set(event.voteId, { for: event.for, against: event.against });
      return;
    case 'MonitoringStarted':
      // The Performance figures are over the (last) window.
      h.measurements.clear();
      return;
    case 'MonitoringWindowClosed':
      h.windowBreaches = event.clean
        ? null
        : Object.values(state.monitoring?.checks ?? {}).reduce((sum, c) => sum + c.breaches, 0);
      return;
    case 'MonitorCheckPassed':
    case 'MonitorCheckBreached': {
      if (event.type === 'MonitorCheckBreached')
        h.breaches.push({ check: event.check, at: event.at, detail: event.detail });
      if (event.measurement === undefined) return;
      const rounds = h.measurements.get(event.check) ?? [];
      rounds.push(event.measurement);
      h.measurements.set(event.check, rounds);
      return;
    }
    case 'ObservationNoted':
      h.feedback.push({ kind: 'observation', ...stamped(event), text: event.text, step: null });
      return;
    case 'ManualStepConfirmed': {
      const run = state.runs.find((r) => r.id === event.runId);
      const step = run?.steps.find((s) => s.key === event.step);
      h.feedback.push({
        kind: 'manual_step',
        ...stamped(event),
        text: event.note ?? null,
        step: {
          runId: event.runId,
          runKind: run?.kind ?? 'deploy',
          name: step?.name ?? event.step,
          service: step?.service ?? '',
          outcome: event.outcome,
        },
      });
      return;
    }
    default:
      return;
  }
};

const editRef = (e: PlanEditRef): PlanEditRef => ({ revision: e.revision, by: e.by, at: e.at });

const stepRecord = (s: Run['steps'][number]): StepRecord => ({
  key: s.key,
  stage: s.stage,
  service: s.service,
  name: s.name,
  kind: s.kind,
  status: s.status,
  attempt: s.attempt,
  startedAt: s.startedAt ?? null,
  finishedAt: s.finishedAt ?? null,
  durationMs: s.durationMs ?? null,
  decidedBy: s.decidedBy ? ref(s.decidedBy) : null,
  note: s.note ?? null,
  error: s.error ?? null,
  // A failed step's output says why; a dry run's is all there is of it: what would have run.
  output: (s.status === 'failed' || s.dryRun) && s.output ? trimOutput(s.output) : null,
  dryRun: s.dryRun === true,
  interruptions: (s.interruptions ?? []).map((i) => ({
    attempt: i.attempt,
    owner: i.owner ?? null,
    reason: i.reason,
    at: i.at,
  })),
  spec: s.spec === null ? null : specRecord(s.spec),
});

/** Headers whose values are shown; any other value may be a credential. */
const HARMLESS_HEADERS: ReadonlySet<string> = new Set(['accept', 'content-type', 'user-agent']);
const MASKED = '•••';

const maskedHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      HARMLESS_HEADERS.has(name.toLowerCase()) ? value : MASKED,
    ]),
  );

/** A URL's user:password part is a credential too. */
const maskedUrl = (url: string): string => url.replace(/^([a-z]+:\/\/)[^/@]*@/i, `$1${MASKED}@`);

const probeExpectations = (check: Extract<StepSpec, { kind: 'check' }>['check']): string[] => [
  check.expect.status === undefined ? 'a 2xx status' : `status ${check.expect.status}`,
  ...(check.expect.body_contains === undefined
    ? []
    : [`body contains ${JSON.stringify(check.expect.body_contains)}`]),
  ...check.expect.json.map((j) => `${j.path} ${j.op} ${JSON.stringify(j.value)}`),
  ...(check.expect.latency_ms_under === undefined
    ? []
    : [`latency under ${check.expect.latency_ms_under} ms`]),
];

/** What the record shows of a recorded step spec (see StepSpecRecord). */
const specRecord = (spec: StepSpec): StepSpecRecord => {
  const base: StepSpecRecord = {
    kind: spec.kind,
    command: null,
    cwd: null,
    env: [],
    secretEnv: [],
    method: null,
    url: null,
    headers: {},
    body: false,
    expect: [],
    instruction: null,
    waitMs: null,
    timeoutMs: spec.timeout ?? null,
    tries: spec.attempts,
    when: spec.when ?? null,
  };
  switch (spec.kind) {
    case 'run':
      return {
        ...base,
        command: spec.run,
        cwd: spec.cwd ?? null,
        env: Object.keys(spec.env),
        secretEnv: spec.secret_env,
      };
    case 'http':
      return {
        ...base,
        method: spec.http.method,
        url: maskedUrl(spec.http.url),
        headers: maskedHeaders(spec.http.headers),
        body: spec.http.body !== undefined,
        expect: [
          spec.http.expect_status === undefined ? 'a 2xx status' : `status ${spec.http.expect_status}`,
        ],
      };
    case 'check':
      return {
        ...base,
        method: spec.check.method,
        url: maskedUrl(spec.check.url),
        headers: maskedHeaders(spec.check.headers),
        expect: probeExpectations(spec.check),
      };
    case 'manual':
      return { ...base, instruction: spec.manual };
    case 'wait':
      return { ...base, waitMs: spec.wait };
    default: {
      const unknown: never = spec;
      return unknown;
    }
  }
};

const runRecord = (run: Run, h: History): RunRecord => ({
  runId: run.id,
  kind: run.kind,
  status: run.status,
  startedAt: run.startedAt,
  finishedAt: run.finishedAt ?? null,
  services: [...new Set(run.steps.map((s) => s.service))],
  stages: STAGES.filter(
    (stage) => run.stages[stage] !== undefined || run.steps.some((s) => s.stage === stage),
  ).map((stage) => {
    const result = h.stageResults.get(stageKey(run.id, stage));
    return {
      stage,
      status: run.stages[stage] ?? 'pending',
      at: result?.at ?? null,
      failedStep: result?.failedStep ?? null,
    };
  }),
  gates: (['deployment', 'verification', 'rollback_verification'] as const).flatMap((gate) => {
    const g = run.gates[gate];
    return g ? [{ gate, passed: g.passed, reason: g.reason ?? null, at: g.at }] : [];
  }),
  aborted: h.aborted.get(run.id) ?? null,
  trigger: h.triggers.get(run.id) ?? null,
  failedAt: h.rollbackFailedAt.get(run.id) ?? null,
  steps: run.steps.map(stepRecord),
});

/**
 * Whether a step that ran did what `tag` says, by the tags its run recorded (hotfix.yml `tags`). A run in
 * which no step carries a tag (recorded before tags existed, or under a config without them) is read by what
 * is unambiguous instead: a `database` step is one that runs only when the plan lists database changes
 * (`when: database_changes`), never one guessed from its name ("Database backup" changes nothing); a
 * `restart` is a run, http or manual step whose name says restart (a check or a wait named so restarts nothing).
 */
const stepDid = (run: Run, step: Run['steps'][number], tag: 'database' | 'restart'): boolean => {
  // Ran: succeeded (a manual step confirmed), for real. A skipped step or a dry run changed nothing.
  if (step.status !== 'succeeded' || step.dryRun) return false;
  if (run.steps.some((s) => (s.spec?.tags.length ?? 0) > 0)) return step.spec?.tags.includes(tag) ?? false;
  if (tag === 'database') return step.spec?.when === 'database_changes';
  return step.kind !== 'check' && step.kind !== 'wait' && /\brestart(s|ed|ing)?\b/i.test(step.name);
};

/** The database steps that ran in the deploy runs, as `name (service)`, once each, in run order. */
const databaseStepsRun = (runs: readonly Run[]): string[] => [
  ...new Set(
    runs.flatMap((r) =>
      r.steps.filter((s) => stepDid(r, s, 'database')).map((s) => `${s.name} (${s.service})`),
    ),
  ),
];

const serviceExecution = (runs: readonly Run[], service: string): ServiceRecord => {
  const steps = [...runs]
    .reverse()
    .map((r) => r.steps.filter((s) => s.service === service && s.stage === 'execution'))
    .find((s) => s.length > 0);
  const restarted = runs.some((r) => r.steps.some((s) => s.service === service && stepDid(r, s, 'restart')));
  let execution: ServiceExecution = 'not_run';
  if (steps?.some((s) => s.status === 'failed')) execution = 'failed';
  else if (steps?.every((s) => s.status === 'succeeded' || s.status === 'skipped')) execution = 'succeeded';
  else if (steps?.some((s) => s.status !== 'pending')) execution = 'running';
  return { name: service, execution, restarted };
};

/** The seed's "System: [Status]": what the verification stage and gate of the last deploy run say. */
const systemCheck = (run: Run | undefined): SystemCheckStatus => {
  if (!run) return 'not_run';
  const gate = run.gates.verification;
  if (gate) return gate.passed ? 'passed' : 'failed';
  if (run.stages.verification === 'failed') return 'failed';
  if (!run.steps.some((s) => s.stage === 'verification' && s.status !== 'pending')) return 'not_run';
  return run.status === 'running' ? 'running' : 'failed';
};

const median = (sorted: readonly number[]): number => {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const spreadOf = (values: readonly number[]): Spread | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: median(sorted), max: sorted.at(-1) ?? 0 };
};

/** Per JSON path, in the order first read: a numeric spread, or the distinct values read. */
const valuesRecord = (rounds: readonly MonitorMeasurement[]): MonitorValueRecord[] => {
  const byPath = new Map<string, JsonValue[]>();
  for (const round of rounds)
    for (const [path, value] of Object.entries(round.values ?? {}))
      byPath.set(path, [...(byPath.get(path) ?? []), value]);
  return [...byPath].map(([path, values]) => {
    const numbers = values.filter((v): v is number => typeof v === 'number');
    if (numbers.length === values.length)
      return { path, rounds: values.length, numeric: spreadOf(numbers), distinct: [], moreDistinct: 0 };
    const distinct = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
    return {
      path,
      rounds: values.length,
      numeric: null,
      distinct: distinct.slice(0, MAX_DISTINCT_VALUES),
      moreDistinct: Math.max(0, distinct.length - MAX_DISTINCT_VALUES),
    };
  });
};

const monitoringStatus = (monitoring: HotfixState['monitoring']): PerformanceRecord['status'] => {
  if (!monitoring) return 'not_started';
  if (!monitoring.closed) return 'running';
  return monitoring.closed.clean ? 'clean' : 'not_clean';
};

/** A checklist's items as the cards show them when the record knows the policy, else as recorded. */
const readinessItems = (
  state: HotfixState,
  checklist: Checklist,
  options: RecordOptions,
): readonly ChecklistItemView[] =>
  options.readiness ? checklistItems(state, options.readiness, checklist) : state.checklists[checklist];

const readinessItemRecord = (i: ChecklistItemView): ReadinessItemRecord => ({
  item: i.label,
  done: i.ticked !== null,
  by: i.ticked ? ref(i.ticked.by) : null,
  at: i.ticked?.at ?? null,
  automatic: i.ticked?.automatic ?? false,
  evidence: i.ticked?.evidence ?? null,
  derivedFrom: i.derivedFrom ?? null,
});

const assemble = (
  state: HotfixState,
  h: History,
  count: number,
  options: RecordOptions,
): DeploymentRecord => {
  const deployRuns = state.runs.filter((r) => r.kind === 'deploy');
  const lastDeploy = deployRuns.at(-1);
  const lastRollback = state.runs.filter((r) => r.kind === 'rollback').at(-1);
  const lastDeployRecord = lastDeploy ? runRecord(lastDeploy, h) : null;
  const deployedAt = [...deployRuns]
    .reverse()
    .map((r) => h.executionPassedAt.get(r.id))
    .find((at) => at !== undefined);
  const plan = state.plan;
  const planPerson = planPersonRef(h, options.identify);

  const services = [
    ...new Set([...plan.services, ...deployRuns.flatMap((r) => r.steps.map((s) => s.service))]),
  ];
  const verificationStage = lastDeployRecord?.stages.find((s) => s.stage === 'verification') ?? null;
  const verificationGate = lastDeployRecord?.gates.find((g) => g.gate === 'verification') ?? null;
  const monitoring = state.monitoring;
  const performance: PerformanceRecord = {
    status: monitoringStatus(monitoring),
    startedAt: monitoring?.startedAt ?? null,
    until: monitoring?.until ?? null,
    closedAt: monitoring?.closed?.at ?? null,
    period: monitoring
      ? {
          ms: Date.parse(monitoring.until) - Date.parse(monitoring.startedAt),
          from: monitoring.periodFrom ?? null,
        }
      : null,
    checks: Object.values(monitoring?.checks ?? {}).map((c) => {
      const measured = h.measurements.get(c.name) ?? [];
      return {
        name: c.name,
        rounds: c.passes + c.breaches,
        passes: c.passes,
        breaches: c.breaches,
        last: c.last ? { passed: c.last.passed, at: c.last.at, detail: c.last.detail ?? null } : null,
        latencyMs: spreadOf(measured.flatMap((m) => (m.latencyMs === undefined ? [] : [m.latencyMs]))),
        statuses: [...new Set(measured.flatMap((m) => (m.status === undefined ? [] : [m.status])))].sort(
          (a, b) => a - b,
        ),
        values: valuesRecord(measured),
      };
    }),
    breaches: h.breaches,
    unobserved: [...(monitoring?.closed?.unobserved ?? [])],
  };

  const issues: IssueRecord[] = state.issues.map((i) => ({
    issueId: i.id,
    text: i.text,
    by: ref(i.loggedBy),
    at: i.loggedAt,
    status: i.resolved ? 'resolved' : 'pending',
    workaround: i.workaround ? { ...stamped(i.workaround), text: i.workaround.text } : null,
    resolved: i.resolved ? { ...stamped(i.resolved), note: i.resolved.note ?? null } : null,
    reopened: (i.reopenings ?? []).map((r) => ({
      ...stamped(r),
      reason: r.reason ?? null,
      resolution: { ...stamped(r.resolution), note: r.resolution.note ?? null },
    })),
  }));
  const resolved = issues.filter((i) => i.status === 'resolved').length;

  const expected = options.signoffRoles ?? DEFAULT_SIGNOFF_ROLES;
  const signed = Object.entries(state.signoffs).sort(([, a], [, b]) => a.at.localeCompare(b.at));
  const signoffRoles = [
    ...expected,
    ...signed.map(([role]) => role).filter((role) => !expected.includes(role)),
  ];

  const finalHash = state.planHash;
  const approvals: DecisionRecord[] = h.decisions.map((d) => {
    // An approval for an older plan that no ApprovalsVoided event reached still no longer counts.
    const stale = d.status === 'standing' && d.planHash !== finalHash;
    const edit = stale
      ? h.edits.find((e) => e.previousHash === d.planHash && e.hash !== d.planHash)
      : undefined;
    return {
      decision: d.decision,
      role: d.role,
      by: ref(d.by),
      at: d.at,
      planHash: d.planHash,
      planRevision: h.revisionOf.get(d.planHash) ?? null,
      comment: d.comment,
      reason: d.reason,
      status: stale ? 'voided' : d.status,
      voidedBy: stale ? (edit ? editRef(edit) : null) : d.voidedBy,
    };
  });

  const votes: VoteRecord[] = state.votes.map((v) => {
    const ballots = [...(h.ballots.get(v.id)?.values() ?? [])].map((b): BallotRecord => ({
      by: ref(b.by),
      choice: b.choice,
      roles: b.roles,
      at: b.at,
      changedFrom: b.changedFrom,
    }));
    return {
      voteId: v.id,
      trigger: v.trigger,
      reason: v.reason,
      automatic: v.automatic,
      proposedBy: ref(v.proposedBy),
      proposedAt: v.proposedAt,
      expiresAt: v.expiresAt,
      status: v.status,
      closedAt: v.closedAt ?? null,
      tally: h.tallies.get(v.id) ?? {
        for: ballots.filter((b) => b.choice === 'for').length,
        against: ballots.filter((b) => b.choice === 'against').length,
      },
      ballots,
    };
  });

  const timeline = h.timeline
    .map((entry, index) => ({ entry, index, ms: Date.parse(entry.at) }))
    .sort((a, b) => (a.ms === b.ms || Number.isNaN(a.ms - b.ms) ? a.index - b.index : a.ms - b.ms))
    .map(({ entry }) => entry);

  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    hotfixId: state.id,
    timezone: options.timezone,
    issue: plan.issueId,
    summary: plan.summary,
    release: { version: plan.version, previousVersion: plan.previousVersion },
    date: deployedAt
      ? { at: deployedAt, kind: 'deployed' }
      : state.startedAt
        ? { at: state.startedAt, kind: 'started' }
        : null,
    implementation: {
      changesDeployed: {
        deployed: deployedAt !== undefined,
        rolledBack:
          lastRollback?.status === 'succeeded'
            ? { runId: lastRollback.id, at: lastRollback.finishedAt ?? lastRollback.startedAt }
            : null,
        code: plan.changes.code,
        database: databaseStepsRun(deployRuns),
        databasePlanned: plan.changes.database,
        config: plan.changes.config,
        services: services.map((s) => serviceExecution(deployRuns, s)),
      },
      verification: {
        system: {
          status: systemCheck(lastDeploy),
          runId: lastDeploy?.id ?? null,
          stage: verificationStage?.status ?? null,
          failedStep: verificationStage?.failedStep ?? null,
          gate: verificationGate
            ? { passed: verificationGate.passed, reason: verificationGate.reason, at: verificationGate.at }
            : null,
        },
        tests: lastDeployRecord?.steps.filter((s) => s.stage === 'verification') ?? [],
        users: h.feedback,
        performance,
      },
    },
    issues: {
      found: issues.length,
      resolved,
      pending: issues.length - resolved,
      workarounds: issues.flatMap((i) => (i.workaround ? [{ issueId: i.issueId, ...i.workaround }] : [])),
      list: issues,
    },
    signoffs: signoffRoles.map((role) => {
      const s = state.signoffs[role];
      return { role, by: s ? ref(s.by) : null, at: s?.at ?? null };
    }),
    outcome: {
      status: state.closed ? state.closed.outcome : standingOf(state.phase),
      phase: state.phase,
      started: state.startedAt ? { by: ref(state.requester), at: state.startedAt } : null,
      closed: state.closed ? stamped(state.closed) : null,
      cancelled: state.cancelled ? { ...stamped(state.cancelled), reason: state.cancelled.reason } : null,
      breachesAccepted:
        h.windowBreaches === null
          ? null
          : {
              breaches: state.breachesAccepted?.breaches ?? h.windowBreaches,
              unobserved: [...(state.monitoring?.closed?.unobserved ?? [])],
              acceptances: Object.entries(state.breachAcceptances ?? {})
                .sort(([, a], [, b]) => a.at.localeCompare(b.at))
                .map(([role, a]) => ({ ...stamped(a), role, reason: a.reason })),
              accepted: state.breachesAccepted ? stamped(state.breachesAccepted) : null,
            },
    },
    plan: {
      revision: state.planRevision,
      hash: state.planHash,
      edits: h.edits,
      severity: plan.severity,
      risk: plan.risk ? { level: plan.risk.level, assessment: plan.risk.assessment } : null,
      communicationPlan: plan.communicationPlan ?? null,
      services: plan.services,
      dependencies: plan.dependencies,
      timeline: {
        start: plan.timeline.start ?? null,
        durationEstimate: plan.timeline.durationEstimate ?? null,
        targetCompletion: plan.timeline.targetCompletion ?? null,
        verificationPeriod: plan.timeline.verificationPeriod ?? null,
      },
      resources: {
        technical: plan.resources.technical.map(planPerson),
        support: plan.resources.support.map(planPerson),
        business: plan.resources.business.map(planPerson),
        management: plan.resources.management.map(planPerson),
      },
    },
    approvals,
    readiness: Object.fromEntries(
      CHECKLISTS.map((c) => [c, readinessItems(state, c, options).map(readinessItemRecord)]),
    ) as Record<Checklist, ReadinessItemRecord[]>,
    timeline,
    deployments: deployRuns.map((r) => runRecord(r, h)),
    rollback: { votes, runs: state.runs.filter((r) => r.kind === 'rollback').map((r) => runRecord(r, h)) },
    documentation: DOC_ITEMS.map((item) => {
      const s = state.docs[item];
      return {
        item,
        group: item.startsWith('system.') ? 'system' : 'process',
        label: DOC_ITEM_LABELS[item],
        done: s !== null,
        by: s ? ref(s.by) : null,
        at: s?.at ?? null,
      };
    }),
    lessons: state.lessons.map((l) => ({ ...stamped(l), text: l.text })),
    events: { count, chain: options.chain ? { head: options.chain.head, count: options.chain.count } : null },
  };
};

/** The record as pretty JSON (what `hotfix record --format json` prints). */
export const renderRecordJson = (record: DeploymentRecord): string => `${JSON.stringify(record, null, 2)}\n`;
