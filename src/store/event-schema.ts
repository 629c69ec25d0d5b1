import { z } from 'zod';
import { CHECKLISTS, DOC_ITEMS, REMINDER_ABOUTS, ROLLBACK_TRIGGERS } from '../domain/hotfix/events.ts';
import type { EventOf, HotfixEventType } from '../domain/hotfix/events.ts';
import { CHAT_PLATFORMS, RISK_LEVELS, SEVERITIES } from '../domain/hotfix/plan.ts';
import type { JsonValue } from '../domain/hotfix/policy.ts';
import { STAGES, STEP_TAGS } from '../domain/hotfix/policy.ts';

// Objects are strict (unknown keys rejected) so a stray or misspelt field in Redis reads as corruption,
// not as silently dropped data. Arrays are readonly exactly where the domain's are, so the two types can be
// compared both ways below.

const text = z.string();
const nonEmpty = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });
const count = z.int().nonnegative();
const hexHash = z.string().regex(/^[0-9a-f]+$/, 'expected a hex hash');

export const personSchema = z.strictObject({
  platform: z.enum(['slack', 'teams', 'cli', 'system']),
  id: nonEmpty,
  // The config's handle (persons form of people); absent in events recorded before it, or under the role form.
  person: z.string().min(1).optional(),
  name: z.string().optional(),
});

const strings = z.array(text).readonly();
const people = z.array(personSchema).readonly();

export const planSchema = z.strictObject({
  issueId: text,
  version: text,
  previousVersion: text,
  summary: text,
  severity: z.enum(SEVERITIES),
  services: strings,
  changes: z.strictObject({ code: strings, database: strings, config: strings }),
  dependencies: z.strictObject({
    systems: strings,
    services: strings,
    databases: strings,
    external: strings,
  }),
  timeline: z.strictObject({
    start: text.optional(),
    durationEstimate: text.optional(),
    targetCompletion: text.optional(),
    verificationPeriod: text.optional(),
  }),
  resources: z.strictObject({ technical: people, support: people, business: people, management: people }),
  // Optional, like platforms: plans recorded before the form asked for them have neither.
  risk: z.strictObject({ level: z.enum(RISK_LEVELS), assessment: text }).optional(),
  communicationPlan: text.optional(),
  // Optional: streams written before a plan could name its platforms stay valid as they are.
  platforms: z.array(z.enum(CHAT_PLATFORMS)).readonly().optional(),
});

const stage = z.enum(STAGES);
const role = nonEmpty;
const runId = nonEmpty;
const step = nonEmpty;
const checklist = z.enum(CHECKLISTS);
const gate = z.enum(['deployment', 'verification', 'rollback_verification']);
const tally = { voteId: count, for: count, against: count };

// A step's spec as hotfix.yml had it when its run started (policy.ts StepSpec): not re-validated against
// today's config rules, which may have changed; only its shape is checked, so a worker can execute it.
const ms = count;
const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const headers = z.record(z.string(), z.string());
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);
const probeSpec = z.strictObject({
  url: nonEmpty,
  method: httpMethod,
  headers,
  expect: z.strictObject({
    status: count.optional(),
    body_contains: text.optional(),
    json: z.array(
      z.strictObject({
        path: nonEmpty,
        op: z.enum(['lt', 'lte', 'gt', 'gte', 'eq', 'ne']),
        value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
      }),
    ),
    latency_ms_under: count.optional(),
  }),
  attempts: count,
  interval: ms,
});
const stepCommon = {
  name: text,
  timeout: ms.optional(),
  attempts: count,
  interval: ms.optional(),
  backoff: ms.optional(),
  when: z.enum(['database_changes', 'config_changes', 'code_changes']).optional(),
  roles: z.array(role),
  // Runs recorded before steps had tags have none.
  tags: z.array(z.enum(STEP_TAGS)).default([]),
};
const stepSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('run'),
    ...stepCommon,
    run: z.array(text).min(1),
    cwd: text.optional(),
    env: z.record(z.string(), z.string()),
    secret_env: z.array(nonEmpty),
  }),
  z.strictObject({
    kind: z.literal('http'),
    ...stepCommon,
    http: z.strictObject({
      method: httpMethod,
      url: nonEmpty,
      headers,
      body: jsonValue.optional(),
      expect_status: count.optional(),
    }),
  }),
  z.strictObject({ kind: z.literal('check'), ...stepCommon, check: probeSpec }),
  z.strictObject({ kind: z.literal('manual'), ...stepCommon, manual: text }),
  z.strictObject({ kind: z.literal('wait'), ...stepCommon, wait: ms }),
]);

// Optional on both monitor events: rounds recorded before measurements were kept carry none.
const measurement = z.strictObject({
  status: count.optional(),
  latencyMs: z.number().nonnegative().optional(),
  values: z.record(z.string(), jsonValue).readonly().optional(),
});

const plannedStep = z.strictObject({
  key: nonEmpty,
  stage,
  service: nonEmpty,
  index: count,
  name: text,
  kind: z.enum(['run', 'http', 'check', 'manual', 'wait']),
  roles: z.array(role).readonly(),
  spec: stepSpec.nullable(),
});

/** One strict object schema per event type: the common `type`, `at`, `by` plus the event's own fields. */
const event = <T extends HotfixEventType, S extends z.core.$ZodLooseShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), at: timestamp, by: personSchema, ...shape });

export const hotfixEventSchema = z.discriminatedUnion('type', [
  event('HotfixStarted', {
    id: nonEmpty,
    plan: planSchema,
    planHash: hexHash,
    checklists: z.strictObject({ code_readiness: z.array(text), environment_readiness: z.array(text) }),
  }),
  event('PlanEdited', { plan: planSchema, planHash: hexHash, previousHash: hexHash }),
  event('ApprovalsVoided', {
    planHash: hexHash,
    approvals: z.array(z.strictObject({ role, by: personSchema })),
    reason: z.literal('plan_edited'),
  }),
  event('ChecklistItemTicked', {
    checklist,
    item: nonEmpty,
    automatic: z.boolean(),
    evidence: text.optional(),
  }),
  event('ChecklistItemUnticked', { checklist, item: nonEmpty }),
  event('PlanApproved', { role, planHash: hexHash, comment: text.optional() }),
  event('PlanRejected', { role, planHash: hexHash, reason: text }),
  event('HotfixCancelled', { reason: text }),
  event('DeployRequested', { runId, services: z.array(nonEmpty) }),
  event('LockGranted', { runId, services: z.array(nonEmpty) }),
  event('LockRefused', { runId, service: nonEmpty, heldBy: nonEmpty, since: text }),
  event('PipelineStarted', { runId, kind: z.enum(['deploy', 'rollback']), steps: z.array(plannedStep) }),
  event('StepReopened', { runId, step, reason: z.string().min(1) }),
  event('StepStarted', { runId, step, attempt: count, owner: z.string().min(1).optional() }),
  event('StepInterrupted', {
    runId,
    step,
    attempt: count,
    owner: z.string().min(1).optional(),
    reason: text,
  }),
  event('StepSucceeded', {
    runId,
    step,
    attempt: count,
    durationMs: count,
    output: text,
    dryRun: z.literal(true).optional(),
  }),
  event('StepFailed', { runId, step, attempt: count, durationMs: count, output: text, error: text }),
  event('StepSkipped', { runId, step, reason: text }),
  event('ManualStepConfirmed', {
    runId,
    step,
    outcome: z.enum(['confirmed', 'failed']),
    note: text.optional(),
  }),
  event('StagePassed', { runId, stage }),
  event('StageFailed', { runId, stage, step }),
  event('GatePassed', { runId, gate }),
  event('GateFailed', { runId, gate, reason: text }),
  event('PipelineAborted', { runId, reason: text }),
  event('MonitoringStarted', {
    until: timestamp,
    checks: z.array(nonEmpty),
    periodFrom: z.enum(['plan', 'policy']).optional(),
  }),
  event('MonitorCheckPassed', {
    check: nonEmpty,
    round: count,
    detail: text.optional(),
    measurement: measurement.optional(),
  }),
  event('MonitorCheckBreached', {
    check: nonEmpty,
    round: count,
    detail: text,
    measurement: measurement.optional(),
  }),
  // unobserved: optional, as windows closed before the close told them apart have none.
  event('MonitoringWindowClosed', { clean: z.boolean(), unobserved: z.array(nonEmpty).optional() }),
  event('BreachAcceptanceGiven', { role, reason: text }),
  event('BreachesAccepted', { breaches: count, roles: z.array(role) }),
  event('RollbackProposed', {
    voteId: count,
    trigger: z.enum(ROLLBACK_TRIGGERS),
    reason: text,
    automatic: z.boolean(),
    expiresAt: timestamp,
  }),
  event('VoteCast', { voteId: count, choice: z.enum(['for', 'against']), roles: z.array(role) }),
  event('VotePassed', tally),
  event('VoteFailed', tally),
  event('VoteExpired', tally),
  event('RollbackStarted', { runId, voteId: count.optional(), automatic: z.boolean(), reason: text }),
  event('RollbackFinished', { runId }),
  event('RollbackFailed', { runId, step }),
  event('IssueLogged', { issueId: count, text }),
  event('IssueResolved', { issueId: count, note: text.optional() }),
  event('WorkaroundSet', { issueId: count, text }),
  event('IssueReopened', { issueId: count, reason: text.optional() }),
  event('ObservationNoted', { text }),
  event('DocumentationUpdateTicked', { item: z.enum(DOC_ITEMS), done: z.boolean() }),
  event('LessonsLearnedNoted', { text }),
  event('SignedOff', { role }),
  event('ReminderSent', {
    about: z.enum(REMINDER_ABOUTS),
    subject: nonEmpty,
    round: z.union([z.literal(1), z.literal(2)]),
    missing: z.array(personSchema),
    escalatedTo: role.optional(),
  }),
  event('HotfixClosed', {}),
]);

/** Every event type the schema knows, for telling "unknown type" apart from "known type, bad fields". */
export const knownEventTypes: ReadonlySet<string> = new Set(
  hotfixEventSchema.options.map((o) => o.shape.type.value),
);

// The schema and the domain type must not drift. Mutual assignability catches a missing, extra or retyped
// required field; comparing the deep-required forms also catches an optional field present on one side only.
// On drift the last line fails to compile, naming the event types to fix (`event()` already
// restricts the schema to the domain's types).
// Recursive JSON (an http step's body) is compared as is: unfolding it would never end.
type DeepRequired<T> = [JsonValue] extends [T]
  ? T
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Parsed<K extends HotfixEventType> = Extract<z.infer<typeof hotfixEventSchema>, { type: K }>;
type Drifted = {
  [K in HotfixEventType]: Mutual<Parsed<K>, EventOf<K>> extends true
    ? Mutual<DeepRequired<Parsed<K>>, DeepRequired<EventOf<K>>> extends true
      ? never
      : K
    : K;
}[HotfixEventType];
type NoneOf<T extends never> = T;
type _SchemaMatchesDomain = NoneOf<Drifted>;
