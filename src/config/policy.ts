import type { Person, Role } from '../domain/hotfix/people.ts';
import type { PlanFieldRules } from '../domain/hotfix/plan.ts';
import type {
  DerivedItemSource,
  Pipeline,
  Policy,
  Reminders,
  ServicePolicy,
  StepSpec,
} from '../domain/hotfix/policy.ts';
import type { ChecklistItem, Config, DirectoryEntry, PipelineConfig, Step } from './schema.ts';

const mapValues = <T, U>(
  record: Readonly<Record<string, T>>,
  f: (value: T, key: string) => U,
): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value, key)]));

// A parsed step is the domain's StepSpec as it stands (runs record it whole, and workers execute the recorded
// one), so the two types must not drift: this fails to compile when one gains, loses or retypes a field.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _stepIsSpec: Mutual<Step, StepSpec> = true;

/** A deep copy, so a policy shares nothing mutable with the config it came from. */
const stepSpec = (step: Step): StepSpec => structuredClone(step);

const pipeline = (config: PipelineConfig): Pipeline => ({
  preparation: config.preparation.map(stepSpec),
  execution: config.execution.map(stepSpec),
  verification: config.verification.map(stepSpec),
});

/** Role → the persons holding it, once per platform id, each with the config's handle and name. */
const peopleOfDirectory = (directory: readonly DirectoryEntry[]): Record<Role, Person[]> => {
  const people: Record<Role, Person[]> = {};
  for (const { handle, name, roles, slack, teams } of directory)
    for (const role of roles)
      (people[role] ??= []).push(
        ...(slack === undefined ? [] : [{ platform: 'slack' as const, id: slack, person: handle, name }]),
        ...(teams === undefined ? [] : [{ platform: 'teams' as const, id: teams, person: handle, name }]),
      );
  return people;
};

const MINUTE = 60_000;
/** The bounds of a plan's verification period when hotfix.yml gives none: 5m and 24h. */
export const DEFAULT_VERIFICATION_PERIOD_MIN_MS = 5 * MINUTE;
export const DEFAULT_VERIFICATION_PERIOD_MAX_MS = 24 * 60 * MINUTE;

/**
 * The bounds of a plan's verification period. A bound left out is the default, widened to take in
 * `verification_period` (a 90s playground period keeps 90s as its lower bound instead of becoming invalid).
 */
export const verificationPeriodBounds = ({
  verification_period: period,
  verification_period_min: min,
  verification_period_max: max,
}: Config['policy']): { minMs: number; maxMs: number } => ({
  minMs: min ?? Math.min(DEFAULT_VERIFICATION_PERIOD_MIN_MS, period),
  maxMs: max ?? Math.max(DEFAULT_VERIFICATION_PERIOD_MAX_MS, period),
});

/** Who may deploy or close when hotfix.yml does not say: the `technical` role when there is one, else everyone. */
const actingRoles = (roles: readonly Role[] | undefined, config: Config): readonly Role[] => {
  if (roles !== undefined) return [...roles];
  const all = Object.keys(config.people);
  return all.includes('technical') ? ['technical'] : all;
};

const reminders = (config: Config['policy']['reminders']): Reminders => ({
  ...(config?.approval === undefined ? {} : { approvalMs: config.approval }),
  ...(config?.manual_step === undefined ? {} : { manualStepMs: config.manual_step }),
  ...(config?.vote === undefined ? {} : { voteMs: config.vote }),
  ...(config?.signoff === undefined ? {} : { signoffMs: config.signoff }),
  ...(config?.escalate_to === undefined ? {} : { escalateTo: config.escalate_to }),
});

const derivedItems = (items: readonly ChecklistItem[]): Record<string, DerivedItemSource> =>
  Object.fromEntries(items.flatMap((entry) => ('from' in entry ? [[entry.item, entry.from]] : [])));

/** The domain's view of a validated config: people resolved per role, durations in ms, steps reduced to specs. */
export const toPolicy = (config: Config): Policy => {
  const { policy } = config;
  const people =
    config.directory.length === 0
      ? mapValues(config.people, ({ slack, teams }): Person[] => [
          ...slack.map((id): Person => ({ platform: 'slack', id })),
          ...teams.map((id): Person => ({ platform: 'teams', id })),
        ])
      : peopleOfDirectory(config.directory);
  const eligible: readonly Role[] = policy.rollback.vote.eligible ?? Object.keys(config.people);
  const bounds = verificationPeriodBounds(policy);
  return {
    people,
    approvals: { ...policy.approvals },
    selfApproval: policy.self_approval,
    signoffs: policy.signoffs,
    verificationPeriodMs: policy.verification_period,
    verificationPeriodMinMs: bounds.minMs,
    verificationPeriodMaxMs: bounds.maxMs,
    deployers: actingRoles(policy.deployers, config),
    closers: actingRoles(policy.closers, config),
    reminders: reminders(policy.reminders),
    rollback: {
      onFailure: policy.rollback.on_failure,
      vote: {
        eligible,
        quorum: policy.rollback.vote.quorum,
        require: policy.rollback.vote.require,
        expiresAfterMs: policy.rollback.vote.expires_after,
      },
    },
    checklists: {
      code_readiness: config.checklists.code_readiness.map(({ item }) => item),
      environment_readiness: config.checklists.environment_readiness.map(({ item }) => item),
    },
    derivedItems: {
      code_readiness: derivedItems(config.checklists.code_readiness),
      environment_readiness: derivedItems(config.checklists.environment_readiness),
    },
    services: mapValues(config.services, (service): ServicePolicy => ({
      deploy: pipeline(service.deploy),
      rollback: pipeline(service.rollback),
      monitor: service.monitor.map(({ name, every }) => ({ name, everyMs: every })),
    })),
    planFields: planFieldRules(config),
  };
};

/** hotfix.yml's `plan_fields`, keyed as the plan names its fields. */
export const planFieldRules = ({ plan_fields: rules }: Config): PlanFieldRules => ({
  issueId: rules.issue_id,
  version: rules.version,
  previousVersion: rules.previous_version,
  summary: rules.summary,
});
