import type { Person, PersonKey, Role } from './people.ts';
import { personKey } from './people.ts';
import type { PlanFieldRules } from './plan.ts';

export const STAGES = ['preparation', 'execution', 'verification'] as const;
export type Stage = (typeof STAGES)[number];

export type RunKind = 'deploy' | 'rollback';

export type StepKind = 'run' | 'http' | 'check' | 'manual' | 'wait';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Comparison = 'lt' | 'lte' | 'gt' | 'gte' | 'eq' | 'ne';

/**
 * What a step changes, as hotfix.yml tags it. The deployment record's "Changes deployed" facts come from the
 * steps that ran with these tags, not from the plan's text or the steps' names: `database` its database
 * scripts, `restart` its services restarted, `config` its configuration updates, `code` its code deployed.
 */
export const STEP_TAGS = ['database', 'restart', 'config', 'code'] as const;
export type StepTag = (typeof STEP_TAGS)[number];

/** An HTTP probe with expectations (a `check` step). Durations in ms. */
export interface ProbeSpec {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  expect: {
    status?: number;
    body_contains?: string;
    json: { path: string; op: Comparison; value: string | number | boolean | null }[];
    latency_ms_under?: number;
  };
  attempts: number;
  interval: number;
}

interface StepCommon {
  name: string;
  /** Durations in ms; absent = the worker's default for the kind. */
  timeout?: number;
  /** Tries of the step before it counts as failed, spaced by `interval` or a doubling `backoff`. */
  attempts: number;
  interval?: number;
  backoff?: number;
  /** Plan condition: the step runs only when the plan lists changes of this kind. */
  when?: 'database_changes' | 'config_changes' | 'code_changes';
  /** Roles allowed to confirm/fail a manual step or skip any step; empty = anyone with a role. */
  roles: Role[];
  /** What the step changes (see STEP_TAGS); empty when untagged, and in runs recorded before tags existed. */
  tags: StepTag[];
}

/**
 * A step exactly as hotfix.yml configures it (durations parsed to ms, templates unrendered). A run records
 * its steps' specs when it starts and its workers execute those, so a later config change cannot alter it.
 * Arrays are mutable only so the config layer's type and this one stay interchangeable (src/config/policy.ts).
 */
export type StepSpec = StepCommon &
  (
    | {
        kind: 'run';
        /** argv, run without a shell; items may hold templates. */
        run: string[];
        cwd?: string;
        env: Record<string, string>;
        /** Names of the worker's variables passed to the command; their values are never recorded. */
        secret_env: string[];
      }
    | {
        kind: 'http';
        http: {
          method: HttpMethod;
          url: string;
          headers: Record<string, string>;
          body?: JsonValue;
          expect_status?: number;
        };
      }
    | { kind: 'check'; check: ProbeSpec }
    | { kind: 'manual'; manual: string }
    | { kind: 'wait'; wait: number }
  );

export type Pipeline = Readonly<Partial<Record<Stage, readonly StepSpec[]>>>;

export interface ServicePolicy {
  readonly deploy: Pipeline;
  readonly rollback: Pipeline;
  readonly monitor: readonly { readonly name: string; readonly everyMs: number }[];
}

export type OnFailure = 'off' | 'propose' | 'execute';

/**
 * hotfix.yml `policy.reminders`: when to re-mention the people still missing. A kind left out sends no
 * reminders of that kind. The second reminder for the same thing also mentions `escalateTo`'s holders.
 */
export interface Reminders {
  /** After this long without the approval gate met, re-mention the approvers still missing. */
  readonly approvalMs?: number;
  /** After a manual step has waited this long for confirmation, re-mention who may confirm it. */
  readonly manualStepMs?: number;
  /** This long before a vote expires, remind the eligible voters who have not voted. */
  readonly voteMs?: number;
  /** After the outcome has been known this long, re-mention the sign-off roles still missing. */
  readonly signoffMs?: number;
  /** A role whose holders the second reminder for the same thing also mentions. */
  readonly escalateTo?: Role;
}

/** Where a derived checklist item's tick comes from: `approvals` = the approval gate is met. */
export const DERIVED_ITEM_SOURCES = ['approvals'] as const;
export type DerivedItemSource = (typeof DERIVED_ITEM_SOURCES)[number];

/**
 * The rules a hotfix is decided by, derived from hotfix.yml by the config layer.
 * Roles are resolved here (not by the edges) so no chat surface can forget to check them.
 */
export interface Policy {
  /**
   * Who holds each role. With hotfix.yml's persons form each entry carries the person's handle and configured
   * name, and a human with ids on both platforms appears once per platform (see `identify`).
   */
  readonly people: Readonly<Record<Role, readonly Person[]>>;
  readonly approvals: Readonly<Record<Role, number>>;
  readonly selfApproval: boolean;
  readonly signoffs: readonly Role[];
  /** The monitoring window when the plan gives none; a plan's own period must lie within min…max. */
  readonly verificationPeriodMs: number;
  readonly verificationPeriodMinMs: number;
  readonly verificationPeriodMaxMs: number;
  /** Who may request the deploy, and who may close the hotfix (hotfix.yml `deployers`, `closers`). */
  readonly deployers: readonly Role[];
  readonly closers: readonly Role[];
  /** `{}` when hotfix.yml has no `policy.reminders`: no reminders at all. */
  readonly reminders: Reminders;
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
  /**
   * Checklist items ticked by the engine, never by hand: label → what ticks it (`{ item, from: approvals }`
   * in hotfix.yml). Their labels are in `checklists` too, in config order.
   */
  readonly derivedItems: {
    readonly code_readiness: Readonly<Record<string, DerivedItemSource>>;
    readonly environment_readiness: Readonly<Record<string, DerivedItemSource>>;
  };
  readonly services: Readonly<Record<string, ServicePolicy>>;
  /** What the plan fields that reach step templates must look like (hotfix.yml `plan_fields`); defaults when absent. */
  readonly planFields?: PlanFieldRules;
}

/** The part of a policy that says who is who. */
type PeoplePolicy = Pick<Policy, 'people'>;

// Entra object ids are GUIDs, which Teams sends in lower case and people may paste in upper case.
const sameId = (platform: Person['platform'], a: string, b: string): boolean =>
  platform === 'teams' ? a.toLowerCase() === b.toLowerCase() : a === b;

/** The policy's entry for a platform identity, if the config lists it. */
const listed = (policy: PeoplePolicy, who: Pick<Person, 'platform' | 'id'>): Person | undefined => {
  for (const members of Object.values(policy.people)) {
    const found = members.find((m) => m.platform === who.platform && sameId(who.platform, m.id, who.id));
    if (found !== undefined) return found;
  }
  return undefined;
};

/**
 * A person as the config knows them: the config's handle and name when hotfix.yml names them in its persons
 * form, so the same human on Slack and on Teams is one person. The platform id decides (a handle recorded
 * under an older config is not trusted); someone the config does not name is returned without a handle.
 */
export const identify = (policy: PeoplePolicy, who: Person): Person => {
  const { person: _recorded, ...platformIdentity } = who;
  if (who.platform === 'system') return platformIdentity;
  const found = listed(policy, who);
  if (found?.person === undefined) return platformIdentity;
  return {
    ...platformIdentity,
    person: found.person,
    ...(found.name === undefined ? {} : { name: found.name }),
  };
};

/**
 * The key of a person under the policy: `person:<handle>` for anyone the config names in its persons form,
 * whichever platform they acted from and whether or not the recorded event carried the handle (events
 * recorded before a team switched to the persons form do not).
 */
export const keyOf = (policy: PeoplePolicy, who: Person): PersonKey => personKey(identify(policy, who));

/** `keyOf` for a key the fold recorded (`slack:U0ALICE` → `person:alice`). */
export const resolveKey = (policy: PeoplePolicy, key: PersonKey): PersonKey => {
  const colon = key.indexOf(':');
  const platform = key.slice(0, colon);
  if (platform === 'person') return key;
  return keyOf(policy, { platform: platform as Person['platform'], id: key.slice(colon + 1) });
};

/** The roles a person holds under the policy (in config order). */
export const rolesOf = (policy: PeoplePolicy, who: Person): Role[] => {
  const key = keyOf(policy, who);
  return Object.entries(policy.people)
    .filter(([, members]) => members.some((m) => keyOf(policy, m) === key))
    .map(([role]) => role);
};

/** Everyone who holds at least one of the roles, one key per human. */
export const membersOf = (policy: PeoplePolicy, roles: readonly Role[]): Set<PersonKey> =>
  new Set(roles.flatMap((r) => (policy.people[r] ?? []).map((m) => keyOf(policy, m))));

/** Everyone holding one of the roles, one entry per human, with their identities on each platform. */
export const holdersOf = (policy: PeoplePolicy, roles: readonly Role[]): ReadonlyMap<PersonKey, Person[]> => {
  const holders = new Map<PersonKey, Person[]>();
  for (const member of roles.flatMap((r) => policy.people[r] ?? [])) {
    const key = keyOf(policy, member);
    const identities = holders.get(key) ?? [];
    if (!identities.some((p) => p.platform === member.platform && p.id === member.id))
      identities.push(member);
    holders.set(key, identities);
  }
  return holders;
};

/** The roles of whoever a key names (`person:alice`, `slack:U0ALICE`), in config order. */
export const rolesOfKey = (policy: PeoplePolicy, key: PersonKey): Role[] =>
  Object.keys(policy.people).filter((role) => holdersOf(policy, [role]).has(resolveKey(policy, key)));
