import { getUnixTime, isValid, parseISO } from 'date-fns';
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, DurationError, parseDuration } from '../../config/duration.ts';
import type { RollbackTrigger } from '../../domain/hotfix/events.ts';
import type { Person, Platform } from '../../domain/hotfix/people.ts';
import type {
  ChatPlatform,
  Plan,
  PlanFieldRules,
  RiskLevel,
  Severity,
  TemplatedPlanField,
  VerificationPeriodBounds,
} from '../../domain/hotfix/plan.ts';
import {
  CHAT_PLATFORMS,
  PLAN_FIELD_MAX_LENGTH,
  PLAN_NOTE_MAX,
  planFieldProblem,
  readVerificationPeriod,
  RISK_LEVELS,
  SEVERITIES,
} from '../../domain/hotfix/plan.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import { holdersOf } from '../../domain/hotfix/policy.ts';
import type { PlatformSettings } from '../../notify/platforms.ts';
import { platformsShowing } from '../../notify/platforms.ts';
import { truncate } from './text.ts';

/**
 * The bot's forms as data, and their parsers. Every chat edge renders the same fields (a Slack modal, a Teams
 * dialog) and reads a submission into the same flat record, so both answer a bad value with the same message
 * under the same field. Field ids are what Slack uses as block ids and Teams as input ids.
 */

export type FieldKind = 'text' | 'multiline' | 'select' | 'multi-select' | 'people' | 'date-time';

export interface FieldOption {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
}

export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  /** Characters a text or multiline input takes. */
  readonly maxLength?: number;
  /** The choices of a select or multi-select. */
  readonly options?: readonly FieldOption[];
  /** Show a select's options all at once (radio buttons) rather than as a dropdown. */
  readonly expanded?: boolean;
  readonly hint?: string;
  readonly placeholder?: string;
  /** The heading this field sits under; a renderer starts a new heading where it changes. */
  readonly section?: string;
  /**
   * A note set apart above this field and its heading (a divider, then the note): where the plan form's
   * essentials end and everything optional begins.
   */
  readonly divider?: string;
}

/**
 * A submission as every edge can flatten it: field id → the text typed, the value picked, the values picked
 * (a plain string is split at commas, as an Adaptive Card multi-select sends it), or a date-time as unix
 * seconds or an ISO 8601 date-time with its offset. Missing and unknown fields are ignored.
 */
export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A parser's answer: the value, or one message per field id (the first problem of each field, in form order). */
export type Parsed<T> =
  ({ readonly ok: true } & T) | { readonly ok: false; readonly errors: Record<string, string> };

/** What a text input takes at most (Slack's cap on an input's value; Teams dialogs follow it). */
export const INPUT_MAX = 3000;

// ---------------------------------------------------------------------------------------------------------
// Field ids.

/** The plan form's fields: `errors` of a plan submission are keyed by these. */
export const PLAN_FIELDS = {
  issueId: 'plan_issue_id',
  version: 'plan_version',
  summary: 'plan_summary',
  severity: 'plan_severity',
  services: 'plan_services',
  previousVersion: 'plan_previous_version',
  codeChanges: 'plan_code_changes',
  databaseChanges: 'plan_database_changes',
  configChanges: 'plan_config_changes',
  depSystems: 'plan_dep_systems',
  depServices: 'plan_dep_services',
  depDatabases: 'plan_dep_databases',
  depExternal: 'plan_dep_external',
  start: 'plan_start',
  durationEstimate: 'plan_duration_estimate',
  targetCompletion: 'plan_target_completion',
  verificationPeriod: 'plan_verification_period',
  resTechnical: 'plan_res_technical',
  resSupport: 'plan_res_support',
  resBusiness: 'plan_res_business',
  resManagement: 'plan_res_management',
  riskLevel: 'plan_risk_level',
  riskAssessment: 'plan_risk_assessment',
  communicationPlan: 'plan_communication_plan',
} as const;
export type PlanFieldId = (typeof PLAN_FIELDS)[keyof typeof PLAN_FIELDS];

/**
 * The plan form's incident-channel checkboxes: a field of its own, on the form only when both Slack and Teams
 * are configured (see `platformChoice`).
 */
export const PLATFORMS_FIELD = 'plan_platforms';

/** The fields of the small forms (reject, cancel, rollback, issue, lessons; resolve, work around, reopen an issue). */
export const REASON_FIELDS = {
  trigger: 'reason_trigger',
  reason: 'reason_text',
  issueKind: 'issue_kind',
  issueText: 'issue_text',
  lessons: 'lessons_text',
  /** A resolved issue's note, or why it is reopened (both optional). */
  issueNote: 'issue_note',
  workaround: 'issue_workaround',
} as const;

// ---------------------------------------------------------------------------------------------------------
// The plan form.

export const RESOURCE_ROLES = ['technical', 'support', 'business', 'management'] as const;
export type ResourceRole = (typeof RESOURCE_ROLES)[number];

export const RESOURCE_FIELDS: Readonly<Record<ResourceRole, PlanFieldId>> = {
  technical: PLAN_FIELDS.resTechnical,
  support: PLAN_FIELDS.resSupport,
  business: PLAN_FIELDS.resBusiness,
  management: PLAN_FIELDS.resManagement,
};

const RESOURCE_LABELS: Readonly<Record<ResourceRole, string>> = {
  technical: 'Technical team',
  support: 'Support team',
  business: 'Business users',
  management: 'Management oversight',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export interface PlanFormOptions {
  /** Services from config, in config order: the only ones a plan may name. */
  readonly services: readonly string[];
  /** People per role from config (policy.people): a hint under each resource picker says how many. */
  readonly people?: Policy['people'];
  /** Both platforms configured: which incident channels show the hotfix (see `platformChoice`). */
  readonly platforms?: PlatformChoice | undefined;
  /** How this platform's people type the edit command (the optional part's note names it): `/hotfix edit`. */
  readonly editCommand?: string;
}

/**
 * The plan form's choice of incident channels, offered only when both Slack and Teams are configured: the
 * platforms offered, and those checked when the form opens (the ones showing the hotfix now, or by default).
 */
export interface PlatformChoice {
  readonly offered: readonly ChatPlatform[];
  readonly checked: readonly ChatPlatform[];
}

const PLATFORM_LABELS: Readonly<Record<ChatPlatform, string>> = { slack: 'Slack', teams: 'Teams' };

/**
 * The platform choice of a plan form opened on `starter`'s platform for a new hotfix, or on an existing
 * hotfix (`hotfix`): undefined unless both platforms are configured.
 */
export const platformChoice = (
  config: PlatformSettings,
  hotfix: { readonly requester: Pick<Person, 'platform'>; readonly plan?: Pick<Plan, 'platforms'> },
): PlatformChoice | undefined => {
  const offered = CHAT_PLATFORMS.filter((platform) => config[platform] !== undefined);
  if (offered.length < 2) return undefined;
  return {
    offered,
    checked: platformsShowing({ requester: hotfix.requester, plan: hotfix.plan ?? {} }, config),
  };
};

/** The plan form's heading over the risk assessment and the communication plan. */
const RISK_SECTION = 'Risk and communication';
/** The plan form's first optional heading: what a rollback returns to, and what the fix changes. */
const CHANGES_SECTION = 'Rollback and changes';

/**
 * Every field of the plan form (`start` and `edit`), in the order a person fills them in: the essentials a
 * hotfix starts with (issue, version, summary, severity, services), then, behind a note saying the rest can
 * wait for an edit, the optional groups.
 */
export const planFormFields = (options: PlanFormOptions): readonly FormField[] => {
  const lines = (id: PlanFieldId, label: string, hint: string, section: string): FormField => ({
    id,
    label,
    kind: 'multiline',
    required: false,
    maxLength: INPUT_MAX,
    hint,
    section,
  });
  const eachLine = 'One per line (or comma-separated).';
  return [
    {
      id: PLAN_FIELDS.issueId,
      label: 'Issue ID',
      kind: 'text',
      required: true,
      maxLength: PLAN_FIELD_MAX_LENGTH.issueId,
      placeholder: 'INC-42',
    },
    {
      id: PLAN_FIELDS.version,
      label: 'Version',
      kind: 'text',
      required: true,
      maxLength: PLAN_FIELD_MAX_LENGTH.version,
      placeholder: '2.3.1',
    },
    {
      id: PLAN_FIELDS.summary,
      label: 'Summary',
      kind: 'multiline',
      required: true,
      maxLength: INPUT_MAX,
      placeholder: 'What is broken and what this fix changes',
    },
    {
      id: PLAN_FIELDS.severity,
      label: 'Severity',
      kind: 'select',
      required: true,
      options: SEVERITIES.map((s) => ({ value: s, label: s })),
      placeholder: 'How bad is it?',
    },
    {
      id: PLAN_FIELDS.services,
      label: 'Services affected',
      kind: 'multi-select',
      required: true,
      options: options.services.map((name) => ({ value: name, label: name })),
      placeholder: 'Pick the services this fix touches',
    },
    {
      id: PLAN_FIELDS.previousVersion,
      label: 'Previous version',
      kind: 'text',
      required: false,
      maxLength: PLAN_FIELD_MAX_LENGTH.previousVersion,
      placeholder: '2.3.0',
      hint: 'The version a rollback returns to.',
      section: CHANGES_SECTION,
      divider: `Everything below is optional: add it now or later with ${options.editCommand ?? '/hotfix edit'}.`,
    },
    lines(PLAN_FIELDS.codeChanges, 'Code changes', 'Files or PR links, one per line.', CHANGES_SECTION),
    lines(PLAN_FIELDS.databaseChanges, 'Database changes', 'Migrations, one per line.', CHANGES_SECTION),
    lines(PLAN_FIELDS.configChanges, 'Configuration updates', 'One per line.', CHANGES_SECTION),
    lines(PLAN_FIELDS.depSystems, 'Systems', eachLine, 'Dependencies'),
    lines(PLAN_FIELDS.depServices, 'Services', eachLine, 'Dependencies'),
    lines(PLAN_FIELDS.depDatabases, 'Databases', eachLine, 'Dependencies'),
    lines(PLAN_FIELDS.depExternal, 'External APIs', eachLine, 'Dependencies'),
    {
      id: PLAN_FIELDS.start,
      label: 'Start',
      kind: 'date-time',
      required: false,
      hint: 'When the deploy should start.',
      section: 'Timeline',
    },
    {
      id: PLAN_FIELDS.durationEstimate,
      label: 'Duration estimate',
      kind: 'text',
      required: false,
      maxLength: 50,
      placeholder: '45m',
      section: 'Timeline',
    },
    {
      id: PLAN_FIELDS.targetCompletion,
      label: 'Target completion',
      kind: 'date-time',
      required: false,
      hint: 'After the start.',
      section: 'Timeline',
    },
    {
      id: PLAN_FIELDS.verificationPeriod,
      label: 'Verification period',
      kind: 'text',
      required: false,
      maxLength: 20,
      placeholder: '30m',
      hint: `How long to watch after deploy: ${DURATION_HINT}.`,
      section: 'Timeline',
    },
    ...RESOURCE_ROLES.map((role): FormField => ({
      id: RESOURCE_FIELDS[role],
      label: RESOURCE_LABELS[role],
      kind: 'people',
      required: false,
      ...(options.people
        ? {
            // One per human: a person with a Slack and a Teams id is listed once per platform.
            hint: `hotfix.yml gives the ${role} role to ${plural(holdersOf({ people: options.people }, [role]).size, 'person', 'people')}.`,
          }
        : {}),
      section: 'People',
    })),
    {
      id: PLAN_FIELDS.riskLevel,
      label: 'Risk level',
      kind: 'select',
      required: false,
      options: RISK_LEVELS.map((level) => ({ value: level, label: level })),
      placeholder: 'How risky is this fix?',
      section: RISK_SECTION,
    },
    {
      id: PLAN_FIELDS.riskAssessment,
      label: 'Risk assessment',
      kind: 'multiline',
      required: false,
      maxLength: PLAN_NOTE_MAX,
      placeholder: 'What could go wrong, and how it is contained',
      hint: 'Give it with a risk level.',
      section: RISK_SECTION,
    },
    {
      id: PLAN_FIELDS.communicationPlan,
      label: 'Communication plan',
      kind: 'multiline',
      required: false,
      maxLength: PLAN_NOTE_MAX,
      placeholder: 'Who is told what, when and where (users, support, status page)',
      section: RISK_SECTION,
    },
    ...(options.platforms
      ? [
          {
            id: PLATFORMS_FIELD,
            label: 'Show it in',
            kind: 'multi-select' as const,
            // Checkboxes: two choices, both visible.
            expanded: true,
            required: false,
            options: options.platforms.offered.map((p) => ({ value: p, label: PLATFORM_LABELS[p] })),
            hint: "Which incident channels get this hotfix's card and thread. The platform it was started from always does.",
            section: 'Chat',
          },
        ]
      : []),
  ];
};

/**
 * A plan as the plan form's values, to prefill an edit: lists one item per line, dates as ISO strings, the
 * people of `platform` by id (people of another platform cannot be shown in its picker).
 */
export const planFormValues = (
  plan: Plan,
  platform: Platform,
  platforms?: PlatformChoice,
): Record<PlanFieldId | typeof PLATFORMS_FIELD, string | string[]> => {
  const ids = (role: ResourceRole) =>
    plan.resources[role].filter((p) => p.platform === platform).map((p) => p.id);
  return {
    [PLAN_FIELDS.issueId]: plan.issueId,
    [PLAN_FIELDS.version]: plan.version,
    [PLAN_FIELDS.summary]: plan.summary,
    [PLAN_FIELDS.severity]: plan.severity,
    [PLAN_FIELDS.services]: [...plan.services],
    [PLAN_FIELDS.previousVersion]: plan.previousVersion,
    [PLAN_FIELDS.codeChanges]: plan.changes.code.join('\n'),
    [PLAN_FIELDS.databaseChanges]: plan.changes.database.join('\n'),
    [PLAN_FIELDS.configChanges]: plan.changes.config.join('\n'),
    [PLAN_FIELDS.depSystems]: plan.dependencies.systems.join('\n'),
    [PLAN_FIELDS.depServices]: plan.dependencies.services.join('\n'),
    [PLAN_FIELDS.depDatabases]: plan.dependencies.databases.join('\n'),
    [PLAN_FIELDS.depExternal]: plan.dependencies.external.join('\n'),
    [PLAN_FIELDS.start]: plan.timeline.start ?? '',
    [PLAN_FIELDS.durationEstimate]: plan.timeline.durationEstimate ?? '',
    [PLAN_FIELDS.targetCompletion]: plan.timeline.targetCompletion ?? '',
    [PLAN_FIELDS.verificationPeriod]: plan.timeline.verificationPeriod ?? '',
    [PLAN_FIELDS.resTechnical]: ids('technical'),
    [PLAN_FIELDS.resSupport]: ids('support'),
    [PLAN_FIELDS.resBusiness]: ids('business'),
    [PLAN_FIELDS.resManagement]: ids('management'),
    [PLAN_FIELDS.riskLevel]: plan.risk?.level ?? '',
    [PLAN_FIELDS.riskAssessment]: plan.risk?.assessment ?? '',
    [PLAN_FIELDS.communicationPlan]: plan.communicationPlan ?? '',
    [PLATFORMS_FIELD]: [...(platforms?.checked ?? [])],
  };
};

// ---------------------------------------------------------------------------------------------------------
// Reading values.

const textOf = (values: FormValues, id: string): string => {
  const v = values[id];
  return typeof v === 'string' ? v : '';
};

const oneOf = (values: FormValues, id: string): string | undefined => {
  const v = values[id];
  return typeof v === 'string' ? v : undefined;
};

const manyOf = (values: FormValues, id: string): string[] => {
  const v = values[id];
  if (typeof v === 'string') return v.split(',').filter((s) => s !== '');
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
};

/** An ISO 8601 date-time that says which instant it is: with `Z` or an offset (`+01:00`, `+0100`, `+01`). */
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT.*(?:Z|[+-]\d\d(?::?\d\d)?)$/;

/**
 * Unix seconds of a date-time value; NaN for one that is neither (refused as not a date). An ISO date-time
 * without an offset is refused too: it names no instant (read as is, it would be in the server's own zone),
 * and neither edge sends one. A day the month does not have (`2026-02-30`) is not a date.
 */
const secondsOf = (values: FormValues, id: string): number | undefined => {
  const v = oneOf(values, id)?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) return Number(v);
  const at = ISO_WITH_OFFSET.test(v) ? parseISO(v) : null;
  return at && isValid(at) ? getUnixTime(at) : Number.NaN;
};

const splitLines = (raw: string, commas: boolean): string[] =>
  raw
    .split(commas ? /[\r\n,]+/ : /\r\n?|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** zod issues → `{ [field id]: message }`, first message per field. */
const errorsOf = (error: z.ZodError): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
};

const required = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `Please give ${what}.` })
    .max(max, { error: `Keep it under ${max} characters.` });

const ESTIMATE_ERROR = 'Give the estimate as a duration such as 45m, 2h or 1h30m.';
/** The duration estimate: empty, or a duration longer than 0 (not `forever`, not `-5m`). */
const durationEstimate = z
  .string()
  .trim()
  .max(50, { error: ESTIMATE_ERROR })
  .refine((v) => v === '' || isPositiveDuration(v), { error: ESTIMATE_ERROR });

function isPositiveDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0;
  } catch (error) {
    if (error instanceof DurationError) return false;
    throw error;
  }
}

const lineList = z.array(z.string().max(1000, { error: 'A line is longer than 1000 characters.' }));

const unixDate = (label: string) =>
  z
    .number({ error: `${label}: pick a date and time.` })
    .int({ error: `${label}: not a valid date.` })
    .min(946_684_800, { error: `${label}: not a valid date.` })
    .max(4_102_444_800, { error: `${label}: not a valid date.` })
    .nullish();

/** Who a people picker may name, per platform: the ids that platform's payloads carry. */
const PERSON_IDS: Readonly<Partial<Record<Platform, z.ZodString>>> = {
  slack: z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'Not a Slack user.' }),
  // An Entra object id (`from.aadObjectId`) or a `29:…` id, as people.<role>.teams lists them.
  teams: z.string().regex(/^\S{1,200}$/, { error: 'Not a Teams user.' }),
};

const TEMPLATED_FIELD_IDS = [
  ['issueId', PLAN_FIELDS.issueId],
  ['version', PLAN_FIELDS.version],
  ['previousVersion', PLAN_FIELDS.previousVersion],
  ['summary', PLAN_FIELDS.summary],
] as const satisfies readonly (readonly [TemplatedPlanField, PlanFieldId])[];

/** The plan form's fields, keyed by field id, so zod's issue paths are the field ids the edges show errors by. */
export const planFormSchema = (
  services: readonly string[],
  rules: PlanFieldRules | undefined,
  platform: Platform = 'slack',
  periodBounds?: VerificationPeriodBounds,
) => {
  const personId = PERSON_IDS[platform] ?? z.string().min(1);
  return z
    .object({
      [PLAN_FIELDS.issueId]: required('the issue ID', PLAN_FIELD_MAX_LENGTH.issueId),
      [PLAN_FIELDS.version]: required('the version being deployed', PLAN_FIELD_MAX_LENGTH.version),
      [PLAN_FIELDS.previousVersion]: z.string().trim().max(PLAN_FIELD_MAX_LENGTH.previousVersion),
      [PLAN_FIELDS.summary]: required('a summary', INPUT_MAX),
      [PLAN_FIELDS.severity]: z.enum(SEVERITIES, { error: 'Pick a severity.' }),
      [PLAN_FIELDS.services]: z
        .array(z.string())
        .min(1, { error: 'Pick at least one service.' })
        .superRefine((names, ctx) => {
          const unknown = names.filter((n) => !services.includes(n));
          if (unknown.length > 0)
            ctx.addIssue({
              code: 'custom',
              message: truncate(
                `Unknown service: ${unknown.join(', ')} (configured: ${services.join(', ')}).`,
                500,
              ),
            });
          if (new Set(names).size !== names.length)
            ctx.addIssue({ code: 'custom', message: 'A service is listed twice.' });
        }),
      [PLAN_FIELDS.codeChanges]: lineList,
      [PLAN_FIELDS.databaseChanges]: lineList,
      [PLAN_FIELDS.configChanges]: lineList,
      [PLAN_FIELDS.depSystems]: lineList,
      [PLAN_FIELDS.depServices]: lineList,
      [PLAN_FIELDS.depDatabases]: lineList,
      [PLAN_FIELDS.depExternal]: lineList,
      [PLAN_FIELDS.start]: unixDate('Start'),
      [PLAN_FIELDS.durationEstimate]: durationEstimate,
      [PLAN_FIELDS.targetCompletion]: unixDate('Target completion'),
      [PLAN_FIELDS.verificationPeriod]: z
        .string()
        .trim()
        .refine((v) => v === '' || DURATION_PATTERN.test(v), { error: `Expected ${DURATION_HINT}.` }),
      [PLAN_FIELDS.resTechnical]: z.array(personId),
      [PLAN_FIELDS.resSupport]: z.array(personId),
      [PLAN_FIELDS.resBusiness]: z.array(personId),
      [PLAN_FIELDS.resManagement]: z.array(personId),
      [PLATFORMS_FIELD]: z.array(z.enum(CHAT_PLATFORMS, { error: 'Pick Slack or Teams.' })),
      [PLAN_FIELDS.riskLevel]: z
        .enum(RISK_LEVELS, { error: `Pick a risk level: ${RISK_LEVELS.join(', ')}.` })
        .optional(),
      [PLAN_FIELDS.riskAssessment]: z
        .string()
        .trim()
        .max(PLAN_NOTE_MAX, { error: `Keep it under ${PLAN_NOTE_MAX} characters.` }),
      [PLAN_FIELDS.communicationPlan]: z
        .string()
        .trim()
        .max(PLAN_NOTE_MAX, { error: `Keep it under ${PLAN_NOTE_MAX} characters.` }),
    })
    .superRefine((form, ctx) => {
      // The fields that reach step templates: refused under the field, before the domain refuses the plan.
      for (const [field, id] of TEMPLATED_FIELD_IDS) {
        const problem = planFieldProblem(field, form[id], rules);
        if (problem !== null) ctx.addIssue({ code: 'custom', path: [id], message: problem });
      }
      // The domain refuses a period outside the policy's bounds too; here it shows under the field.
      const period = periodBounds
        ? readVerificationPeriod(form[PLAN_FIELDS.verificationPeriod], periodBounds)
        : undefined;
      if (period?.ok === false)
        ctx.addIssue({ code: 'custom', path: [PLAN_FIELDS.verificationPeriod], message: period.problem });
      // A risk level and its assessment go together: a level alone says nothing a reviewer can check.
      const level = form[PLAN_FIELDS.riskLevel];
      const assessment = form[PLAN_FIELDS.riskAssessment];
      if (level !== undefined && assessment === '')
        ctx.addIssue({
          code: 'custom',
          path: [PLAN_FIELDS.riskAssessment],
          message: `Say why the risk is ${level}: what could go wrong, and how it is contained.`,
        });
      if (level === undefined && assessment !== '')
        ctx.addIssue({
          code: 'custom',
          path: [PLAN_FIELDS.riskLevel],
          message: 'Pick a risk level for this assessment.',
        });
      const start = form[PLAN_FIELDS.start];
      const target = form[PLAN_FIELDS.targetCompletion];
      if (typeof start === 'number' && typeof target === 'number' && target <= start)
        ctx.addIssue({
          code: 'custom',
          path: [PLAN_FIELDS.targetCompletion],
          message: 'Target completion must be after the start.',
        });
    });
};

const isoOf = (unix: number | null | undefined): string | undefined =>
  typeof unix === 'number' ? new Date(unix * 1000).toISOString() : undefined;

export interface PlanParseConfig {
  readonly services: readonly string[];
  /** The plan being edited: people already on it keep their Person (name included). */
  readonly initial?: Plan;
  /** hotfix.yml `plan_fields`; the defaults when absent. */
  readonly planFields?: PlanFieldRules | undefined;
  /** Whose ids the people pickers carry. */
  readonly platform: Platform;
  /** The platform choice the form offered, if any (see `platformChoice`). */
  readonly platforms?: PlatformChoice | undefined;
  /** The policy's bounds on the verification period; the form checks only its shape when absent. */
  readonly periodBounds?: VerificationPeriodBounds | undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Reads a plan form: `{ ok: true, plan }`, or `{ ok: false, errors }` keyed by field id. Services are checked
 * against the configured ones. With the plan being edited as `initial`, people already on it keep their Person,
 * so saving an unchanged plan keeps its hash and voids no approval.
 */
export const parsePlanForm = (values: FormValues, config: PlanParseConfig): Parsed<{ plan: Plan }> => {
  const { services, platform } = config;
  const known = new Map(
    Object.values(config.initial?.resources ?? {})
      .flat()
      .filter((p) => p.platform === platform)
      .map((p) => [p.id, p]),
  );
  const personOf = (id: string): Person => known.get(id) ?? { platform, id };
  const F = PLAN_FIELDS;
  const form = {
    [F.issueId]: textOf(values, F.issueId),
    [F.version]: textOf(values, F.version),
    [F.previousVersion]: textOf(values, F.previousVersion),
    [F.summary]: textOf(values, F.summary),
    [F.severity]: oneOf(values, F.severity),
    [F.services]: manyOf(values, F.services),
    [F.codeChanges]: splitLines(textOf(values, F.codeChanges), false),
    [F.databaseChanges]: splitLines(textOf(values, F.databaseChanges), false),
    [F.configChanges]: splitLines(textOf(values, F.configChanges), false),
    [F.depSystems]: splitLines(textOf(values, F.depSystems), true),
    [F.depServices]: splitLines(textOf(values, F.depServices), true),
    [F.depDatabases]: splitLines(textOf(values, F.depDatabases), true),
    [F.depExternal]: splitLines(textOf(values, F.depExternal), true),
    [F.start]: secondsOf(values, F.start),
    [F.durationEstimate]: textOf(values, F.durationEstimate),
    [F.targetCompletion]: secondsOf(values, F.targetCompletion),
    [F.verificationPeriod]: textOf(values, F.verificationPeriod),
    [F.resTechnical]: manyOf(values, F.resTechnical),
    [F.resSupport]: manyOf(values, F.resSupport),
    [F.resBusiness]: manyOf(values, F.resBusiness),
    [F.resManagement]: manyOf(values, F.resManagement),
    [PLATFORMS_FIELD]: config.platforms ? manyOf(values, PLATFORMS_FIELD) : [],
    // An unpicked select arrives as nothing (Slack) or as an empty string (Teams).
    [F.riskLevel]: oneOf(values, F.riskLevel) || undefined,
    [F.riskAssessment]: textOf(values, F.riskAssessment),
    [F.communicationPlan]: textOf(values, F.communicationPlan),
  };
  const parsed = planFormSchema(services, config.planFields, platform, config.periodBounds).safeParse(form);
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error) };
  const f = parsed.data;
  const start = isoOf(f[F.start]);
  const target = isoOf(f[F.targetCompletion]);
  const duration = f[F.durationEstimate];
  const period = f[F.verificationPeriod];
  const riskLevel: RiskLevel | undefined = f[F.riskLevel];
  const communication = f[F.communicationPlan];
  // Left as they were unless the boxes changed: saving an untouched form keeps the plan's hash.
  const picked = f[PLATFORMS_FIELD];
  const platforms =
    config.platforms === undefined || sameSet(picked, config.platforms.checked)
      ? config.initial?.platforms
      : CHAT_PLATFORMS.filter((p) => picked.includes(p));
  const plan: Plan = {
    issueId: f[F.issueId],
    version: f[F.version],
    previousVersion: f[F.previousVersion],
    summary: f[F.summary],
    severity: f[F.severity] as Severity,
    services: f[F.services],
    changes: { code: f[F.codeChanges], database: f[F.databaseChanges], config: f[F.configChanges] },
    dependencies: {
      systems: f[F.depSystems],
      services: f[F.depServices],
      databases: f[F.depDatabases],
      external: f[F.depExternal],
    },
    timeline: {
      ...(start ? { start } : {}),
      ...(duration ? { durationEstimate: duration } : {}),
      ...(target ? { targetCompletion: target } : {}),
      ...(period ? { verificationPeriod: period } : {}),
    },
    resources: {
      technical: f[F.resTechnical].map(personOf),
      support: f[F.resSupport].map(personOf),
      business: f[F.resBusiness].map(personOf),
      management: f[F.resManagement].map(personOf),
    },
    // Left out when empty, so a plan without them keeps the hash it had before the form asked for them.
    ...(riskLevel === undefined ? {} : { risk: { level: riskLevel, assessment: f[F.riskAssessment] } }),
    ...(communication === '' ? {} : { communicationPlan: communication }),
    ...(platforms === undefined ? {} : { platforms }),
  };
  return { ok: true, plan };
};

// ---------------------------------------------------------------------------------------------------------
// The small forms: a reason, a rollback, an issue, a lesson.

const reasonField = (label: string, placeholder: string): FormField => ({
  id: REASON_FIELDS.reason,
  label,
  kind: 'multiline',
  required: true,
  maxLength: 2000,
  placeholder,
});

/** Why the plan is rejected (one field; parse with `parseReasonForm`). */
export const REJECT_FORM_FIELDS: readonly FormField[] = [
  reasonField('Why?', 'What must change before you approve'),
];

/** Why a release is kept despite its monitoring breaches (parse with `parseReasonForm`). */
export const ACCEPT_BREACHES_FORM_FIELDS: readonly FormField[] = [
  reasonField('Why keep it?', 'e.g. the error rate is back to normal since 09:40'),
];

/** Why the hotfix is cancelled (parse with `parseReasonForm`). */
export const CANCEL_FORM_FIELDS: readonly FormField[] = [
  reasonField('Why?', 'e.g. fixed by the vendor, superseded by HF-12'),
];

/** The triggers a person can give (failed steps and checks are raised by the system). */
export const PERSON_ROLLBACK_TRIGGERS = [
  'critical_error',
  'data_issue',
  'performance_problem',
  'business_impact',
] as const satisfies readonly RollbackTrigger[];
export type PersonRollbackTrigger = (typeof PERSON_ROLLBACK_TRIGGERS)[number];

export const TRIGGER_LABELS: Readonly<Record<PersonRollbackTrigger, string>> = {
  critical_error: 'Critical error',
  data_issue: 'Data issue',
  performance_problem: 'Performance problem',
  business_impact: 'Business impact',
};

/** Proposes a rollback: the trigger and the reason (parse with `parseRollbackForm`). */
export const ROLLBACK_FORM_FIELDS: readonly FormField[] = [
  {
    id: REASON_FIELDS.trigger,
    label: 'Trigger',
    kind: 'select',
    required: true,
    options: PERSON_ROLLBACK_TRIGGERS.map((t) => ({ value: t, label: TRIGGER_LABELS[t] })),
    placeholder: 'What went wrong?',
  },
  reasonField('Reason', 'What you see, and since when'),
];

/** Logs an issue or a business observation (parse with `parseIssueForm`); the kind starts at `issue`. */
export const ISSUE_FORM_FIELDS: readonly FormField[] = [
  {
    id: REASON_FIELDS.issueKind,
    label: 'Kind',
    kind: 'select',
    required: true,
    expanded: true,
    options: [
      {
        value: 'issue',
        label: 'Issue',
        description: 'Something is wrong; it can be resolved or worked around',
      },
      { value: 'observation', label: 'Observation', description: 'A business observation for the record' },
    ],
  },
  {
    id: REASON_FIELDS.issueText,
    label: 'What happened?',
    kind: 'multiline',
    required: true,
    maxLength: 2000,
  },
];

/** A lessons-learned note of the record (parse with `parseLessonsForm`). */
export const LESSONS_FORM_FIELDS: readonly FormField[] = [
  { id: REASON_FIELDS.lessons, label: 'Lesson', kind: 'multiline', required: true, maxLength: INPUT_MAX },
];

/** Resolves a logged issue: an optional note on how (parse with `parseIssueNoteForm`). */
export const RESOLVE_ISSUE_FORM_FIELDS: readonly FormField[] = [
  {
    id: REASON_FIELDS.issueNote,
    label: 'Note',
    kind: 'multiline',
    required: false,
    maxLength: 2000,
    placeholder: 'How it was fixed (optional)',
  },
];

/** Reopens a resolved issue: an optional reason (parse with `parseIssueNoteForm`). */
export const REOPEN_ISSUE_FORM_FIELDS: readonly FormField[] = [
  {
    id: REASON_FIELDS.issueNote,
    label: 'Why?',
    kind: 'multiline',
    required: false,
    maxLength: 2000,
    placeholder: 'What is still wrong (optional)',
  },
];

/** A workaround for a logged issue (parse with `parseWorkaroundForm`). */
export const WORKAROUND_FORM_FIELDS: readonly FormField[] = [
  {
    id: REASON_FIELDS.workaround,
    label: 'Workaround',
    kind: 'multiline',
    required: true,
    maxLength: 2000,
    placeholder: 'What people can do until it is fixed',
  },
];

const parseText = (values: FormValues, id: string, what: string, max = 2000): Parsed<{ text: string }> => {
  const parsed = required(what, max).safeParse(textOf(values, id));
  return parsed.success
    ? { ok: true, text: parsed.data }
    : { ok: false, errors: { [id]: parsed.error.issues[0]?.message ?? 'Invalid.' } };
};

/** The reject and cancel forms: `{ ok: true, reason }` or the error under the reason field. */
export const parseReasonForm = (values: FormValues): Parsed<{ reason: string }> => {
  const r = parseText(values, REASON_FIELDS.reason, 'a reason');
  return r.ok ? { ok: true, reason: r.text } : r;
};

/** `{ ok: true, trigger, reason }` or errors under the trigger and reason fields. */
export const parseRollbackForm = (
  values: FormValues,
): Parsed<{ trigger: PersonRollbackTrigger; reason: string }> => {
  const schema = z.object({
    [REASON_FIELDS.trigger]: z.enum(PERSON_ROLLBACK_TRIGGERS, { error: 'Pick a trigger.' }),
    [REASON_FIELDS.reason]: required('a reason', 2000),
  });
  const parsed = schema.safeParse({
    [REASON_FIELDS.trigger]: oneOf(values, REASON_FIELDS.trigger),
    [REASON_FIELDS.reason]: textOf(values, REASON_FIELDS.reason),
  });
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error) };
  return { ok: true, trigger: parsed.data[REASON_FIELDS.trigger], reason: parsed.data[REASON_FIELDS.reason] };
};

/** `{ ok: true, kind, text }`: `issue` → LogIssue, `observation` → NoteObservation. */
export const parseIssueForm = (
  values: FormValues,
): Parsed<{ kind: 'issue' | 'observation'; text: string }> => {
  const kind = oneOf(values, REASON_FIELDS.issueKind) ?? 'issue';
  if (kind !== 'issue' && kind !== 'observation')
    return { ok: false, errors: { [REASON_FIELDS.issueKind]: 'Pick issue or observation.' } };
  const r = parseText(values, REASON_FIELDS.issueText, 'a description');
  return r.ok ? { ok: true, kind, text: r.text } : r;
};

/** The resolve and reopen forms: `{ ok: true, note }` (none when left blank) or the error under the note. */
export const parseIssueNoteForm = (values: FormValues): Parsed<{ note?: string }> => {
  const note = textOf(values, REASON_FIELDS.issueNote).trim();
  if (note.length > 2000)
    return { ok: false, errors: { [REASON_FIELDS.issueNote]: 'Keep it under 2000 characters.' } };
  return note === '' ? { ok: true } : { ok: true, note };
};

/** `{ ok: true, text }` or the error under the workaround field. */
export const parseWorkaroundForm = (values: FormValues): Parsed<{ text: string }> =>
  parseText(values, REASON_FIELDS.workaround, 'the workaround');

/** `{ ok: true, text }` or the error under the lesson field. */
export const parseLessonsForm = (values: FormValues): Parsed<{ text: string }> =>
  parseText(values, REASON_FIELDS.lessons, 'the lesson', INPUT_MAX);
