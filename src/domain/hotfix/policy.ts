import type { Person, PersonKey, Role } from './people.ts';
import { personKey } from './people.ts';

export const STAGES = ['preparation', 'execution', 'verification'] as const;
export type Stage = (typeof STAGES)[number];

export type RunKind = 'deploy' | 'rollback';

export type StepKind = 'run' | 'http' | 'check' | 'manual' | 'wait';

/** What the domain needs to know of a configured step; how to execute it is the workers' business. */
export interface StepSpec {
  readonly name: string;
  readonly kind: StepKind;
  /** Roles allowed to confirm/fail a manual step or skip any step; empty = anyone with a role. */
  readonly roles: readonly Role[];
  /** Plan condition: the step runs only when the plan lists changes of this kind. */
  readonly when?: 'database_changes' | 'config_changes' | 'code_changes';
}

export type Pipeline = Readonly<Partial<Record<Stage, readonly StepSpec[]>>>;

export interface ServicePolicy {
  readonly deploy: Pipeline;
  readonly rollback: Pipeline;
  readonly monitor: readonly { readonly name: string; readonly everyMs: number }[];
}

export type OnFailure = 'off' | 'propose' | 'execute';

/**
 * The rules a hotfix is decided by, derived from hotfix.yml by the config layer.
 * Roles are resolved here (not by the edges) so no chat surface can forget to check them.
 */
export interface Policy {
  readonly people: Readonly<Record<Role, readonly Person[]>>;
  readonly approvals: Readonly<Record<Role, number>>;
  readonly selfApproval: boolean;
  readonly signoffs: readonly Role[];
  readonly verificationPeriodMs: number;
  readonly rollback: {
    readonly onFailure: OnFailure;
    readonly vote: {
      readonly eligible: readonly Role[];
      readonly quorum: number;
      readonly require: readonly Role[];
      readonly expiresAfterMs: number;
    };
  };
  readonly checklists: {
    readonly code_readiness: readonly string[];
    readonly environment_readiness: readonly string[];
  };
  readonly services: Readonly<Record<string, ServicePolicy>>;
}

/** The roles a person holds under the policy (in config order). */
export const rolesOf = (policy: Policy, who: Pick<Person, 'platform' | 'id'>): Role[] => {
  const key = personKey(who);
  return Object.entries(policy.people)
    .filter(([, members]) => members.some((m) => personKey(m) === key))
    .map(([role]) => role);
};

/** Everyone who holds at least one of the roles. */
export const membersOf = (policy: Policy, roles: readonly Role[]): Set<PersonKey> =>
  new Set(roles.flatMap((r) => (policy.people[r] ?? []).map(personKey)));
