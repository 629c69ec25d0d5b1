import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration.ts';
import type { Person } from './people.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How likely and how bad a failure of this fix would be, as the person assessing it judges it. */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The longest risk assessment or communication plan a plan keeps (a chat form's text input takes 3000). */
export const PLAN_NOTE_MAX = 3000;

/** The chat platforms a hotfix can be shown on. */
export const CHAT_PLATFORMS = ['slack', 'teams'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/** The deployment plan, in the seed's "Deployment Plan" shape. */
export interface Plan {
  readonly issueId: string;
  readonly version: string;
  /** The version a rollback returns to (`{{plan.previous_version}}`). */
  readonly previousVersion: string;
  readonly summary: string;
  readonly severity: Severity;
  readonly services: readonly string[];
  readonly changes: {
    /** Files or PR links. */
    readonly code: readonly string[];
    readonly database: readonly string[];
    readonly config: readonly string[];
  };
  readonly dependencies: {
    readonly systems: readonly string[];
    readonly services: readonly string[];
    readonly databases: readonly string[];
    readonly external: readonly string[];
  };
  readonly timeline: {
    /** ISO timestamps; the duration estimate is free text ("45m"). */
    readonly start?: string;
    readonly durationEstimate?: string;
    readonly targetCompletion?: string;
    readonly verificationPeriod?: string;
  };
  readonly resources: {
    readonly technical: readonly Person[];
    readonly support: readonly Person[];
    readonly business: readonly Person[];
    readonly management: readonly Person[];
  };
  /** The process's risk assessment: a level and what could go wrong. Absent in plans made before it existed. */
  readonly risk?: { readonly level: RiskLevel; readonly assessment: string };
  /** The process's communication plan: who is told what, when and where. Absent in older plans. */
  readonly communicationPlan?: string;
  /**
   * The platforms whose incident channel shows this hotfix (besides the one it was started from, always shown);
   * absent: as hotfix.yml's `slack.mirror` / `teams.mirror` say. Part of the plan, so changing it is an edit,
   * but not of what approvers approve (see `deploymentHash`).
   */
  readonly platforms?: readonly ChatPlatform[];
}

const shortHash = (value: unknown): string =>
  createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);

/**
 * The hash approvals are bound to: what is deployed and how, so the whole plan but its `platforms` (where the
 * hotfix is shown deploys nothing). A plan without `platforms` hashes as it did when they were included.
 */
export const deploymentHash = (plan: Plan): string => shortHash({ ...plan, platforms: undefined });

/**
 * The whole plan as a form shows it, `platforms` included: an edit form opened on one fingerprint is not saved
 * over another, so it never undoes an edit its author did not see (even one that kept the approvals).
 */
export const planFingerprint = (plan: Plan): string => shortHash(plan);

/**
 * Why the plan's risk assessment or communication plan is refused, or null. The forms check the same before
 * submitting; this is for every other way a plan arrives (CLI, playground, an old client).
 */
export const planNoteProblem = (plan: Pick<Plan, 'risk' | 'communicationPlan'>): string | null => {
  if (plan.risk !== undefined) {
    if (!(RISK_LEVELS as readonly string[]).includes(plan.risk.level))
      return `The risk level must be one of ${RISK_LEVELS.join(', ')}.`;
    if (plan.risk.assessment.trim() === '')
      return 'The risk assessment needs a few words: what could go wrong, and how it is contained.';
    if (plan.risk.assessment.length > PLAN_NOTE_MAX)
      return `Keep the risk assessment under ${PLAN_NOTE_MAX} characters.`;
  }
  if (plan.communicationPlan !== undefined) {
    if (plan.communicationPlan.trim() === '')
      return 'The communication plan is empty: say who is told what, or leave it out.';
    if (plan.communicationPlan.length > PLAN_NOTE_MAX)
      return `Keep the communication plan under ${PLAN_NOTE_MAX} characters.`;
  }
  return null;
};

/** The plan fields that reach step templates (`{{plan.issue_id}}`, `{{plan.version}}`…), by their Plan key. */
export const TEMPLATED_PLAN_FIELDS = ['issueId', 'version', 'previousVersion', 'summary'] as const;
export type TemplatedPlanField = (typeof TEMPLATED_PLAN_FIELDS)[number];

/** What a templated plan field must look like: a regular expression (JavaScript syntax) and its wording. */
export interface PlanFieldRule {
  readonly pattern: string;
  /** Completes "The version must be …" in refusals. */
  readonly hint: string;
}
export type PlanFieldRules = Readonly<Record<TemplatedPlanField, PlanFieldRule>>;

/**
 * hotfix.yml's defaults (`plan_fields`). A value that starts with `-` would reach a command's argv as an
 * option (`--upload-pack=…` as a version); `/`, `?` or `#` would change a templated URL's path or query.
 */
export const DEFAULT_PLAN_FIELD_RULES: PlanFieldRules = {
  issueId: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    hint: 'letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. INC-42)',
  },
  version: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$',
    hint: 'letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.1)',
  },
  previousVersion: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$',
    hint: 'letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.0)',
  },
  summary: { pattern: '^(?!-)', hint: 'text that does not start with "-"' },
};

export const PLAN_FIELD_LABELS: Readonly<Record<TemplatedPlanField, string>> = {
  issueId: 'The issue ID',
  version: 'The version',
  previousVersion: 'The previous version',
  summary: 'The summary',
};

/**
 * How long each templated plan field may be, wherever it is typed (the plan form, `/hotfix start <issue-id>`,
 * the CLI): the domain refuses longer ones, so no path has a limit of its own.
 */
export const PLAN_FIELD_MAX_LENGTH: Readonly<Record<Exclude<TemplatedPlanField, 'summary'>, number>> = {
  issueId: 100,
  version: 100,
  previousVersion: 100,
};

/** Why a templated plan field's value is too long, or null (the summary is held to the form's size alone). */
export const planFieldLengthProblem = (field: TemplatedPlanField, value: string): string | null => {
  const max = field === 'summary' ? undefined : PLAN_FIELD_MAX_LENGTH[field];
  return max !== undefined && value.length > max
    ? `${PLAN_FIELD_LABELS[field]} is at most ${max} characters (this one has ${value.length}).`
    : null;
};

/**
 * Why a value of a templated plan field is refused, or null when it matches its rule. An empty previous
 * version is allowed (it is optional); other empty fields are refused elsewhere as missing.
 */
export const planFieldProblem = (
  field: TemplatedPlanField,
  value: string,
  rules: PlanFieldRules = DEFAULT_PLAN_FIELD_RULES,
): string | null => {
  if (value === '') return null;
  const rule = rules[field];
  return new RegExp(rule.pattern).test(value) ? null : `${PLAN_FIELD_LABELS[field]} must be ${rule.hint}.`;
};

/** The problems of a plan's templated fields, by field; empty when every one matches its rule. */
export const planFieldProblems = (
  plan: Pick<Plan, TemplatedPlanField>,
  rules: PlanFieldRules = DEFAULT_PLAN_FIELD_RULES,
): Partial<Record<TemplatedPlanField, string>> =>
  Object.fromEntries(
    TEMPLATED_PLAN_FIELDS.flatMap((field) => {
      const problem = planFieldProblem(field, plan[field], rules);
      return problem === null ? [] : [[field, problem]];
    }),
  );

/** How long a plan may ask to be monitored for (policy `verification_period_min` … `_max`), in ms. */
export interface VerificationPeriodBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The policy's bounds (`verificationPeriodMinMs` … `MaxMs`; structural, as policy.ts imports this module). */
export const periodBounds = (policy: {
  readonly verificationPeriodMinMs: number;
  readonly verificationPeriodMaxMs: number;
}): VerificationPeriodBounds => ({
  minMs: policy.verificationPeriodMinMs,
  maxMs: policy.verificationPeriodMaxMs,
});

/**
 * A plan's verification period in ms, or why it is refused: it must be a duration (`30m`, `2h`, `1h30m`)
 * within the policy's bounds. An absent or blank period is no problem: the policy's period applies.
 */
export const readVerificationPeriod = (
  text: string | undefined,
  bounds: VerificationPeriodBounds,
): { readonly ok: true; readonly ms: number | null } | { readonly ok: false; readonly problem: string } => {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return { ok: true, ms: null };
  const range = `between ${formatDuration(bounds.minMs)} and ${formatDuration(bounds.maxMs)}`;
  const refused = (why: string) => ({
    ok: false as const,
    problem: `The verification period must be ${why} (got ${JSON.stringify(trimmed.slice(0, 40))}).`,
  });
  if (!DURATION_PATTERN.test(trimmed)) return refused(`a duration such as 30m, 2h or 1h30m, ${range}`);
  const ms = parseDuration(trimmed, { allowZero: true });
  return ms < bounds.minMs || ms > bounds.maxMs ? refused(range) : { ok: true, ms };
};
