import type { Standing } from './state.ts';
import type { Checklist, DocItem, Gate, HotfixEventType, RollbackTrigger, VoteChoice } from './events.ts';
import type { Platform, Role } from './people.ts';
import type { RiskLevel, Severity } from './plan.ts';
import type { DerivedItemSource, JsonValue, RunKind, Stage, StepKind } from './policy.ts';
import type { Phase, RunStatus, StepStatus } from './state.ts';

/*
 * The deployment record as JSON: the seed's "Deployment Documentation" plus what the product adds, built by
 * `buildRecord` (record.ts). Times are ISO instants, absent values are `null` (never omitted), and any change
 * of this shape that a reader could notice bumps `schemaVersion`.
 */

/**
 * v3: the plan's risk and communication plan; readiness items derived from a gate; the database facts from
 * the steps that ran (`databasePlanned` keeps the plan's list); each issue's reopenings; the monitoring
 * window's period and per-check values; breaches accepted; reminders.
 * v4: the monitoring window's checks that never reported (`performance.unobserved`, and in the breach review).
 */
export const RECORD_SCHEMA_VERSION = 4;

/** A person as the record shows them: identity plus the name to print. */
export interface PersonRef {
  readonly platform: Platform;
  readonly id: string;
  /** The config's handle, when hotfix.yml names the person (persons form): the same on every platform. */
  readonly person?: string;
  readonly name: string;
}

export interface Stamped {
  readonly by: PersonRef;
  readonly at: string;
}

/** How the hotfix ended, or that it has not yet. */
export type OutcomeStatus = Standing;

/** `succeeded`/`failed`: the last deploy run finished the service's execution steps that way. */
export type ServiceExecution = 'succeeded' | 'failed' | 'running' | 'not_run';

/** The seed's "System: [Status]": the verification gate (or stage) of the last deploy run. */
export type SystemCheckStatus = 'passed' | 'failed' | 'running' | 'not_run';

export interface ServiceRecord {
  readonly name: string;
  readonly execution: ServiceExecution;
  /**
   * A step of this service tagged `restart` ran (succeeded, not a dry run) in a deploy run; in runs recorded
   * without tags, a run, http or manual step named "…restart…".
   */
  readonly restarted: boolean;
}

export interface StepRecord {
  readonly key: string;
  readonly stage: Stage;
  readonly service: string;
  readonly name: string;
  readonly kind: StepKind;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** Who confirmed or failed a manual step, or skipped a step. */
  readonly decidedBy: PersonRef | null;
  /** The manual confirmation note or the skip reason. */
  readonly note: string | null;
  readonly error: string | null;
  /** The tail of the output, for failed steps and dry runs only. */
  readonly output: string | null;
  /** Nothing ran: the step was shown, not executed (the playground rehearsing a team's config). */
  readonly dryRun: boolean;
  /** Earlier attempts that never finished: their worker died mid-step. */
  readonly interruptions: readonly {
    readonly attempt: number;
    readonly owner: string | null;
    readonly reason: string;
    readonly at: string;
  }[];
  /** What the step executes, as recorded when its run started; null for runs that did not record it. */
  readonly spec: StepSpecRecord | null;
}

/**
 * A recorded step spec as the record shows it: templates as configured, never a secret's value (secret_env
 * and env by name only, header values masked unless plainly harmless, no request body).
 */
export interface StepSpecRecord {
  readonly kind: StepKind;
  /** run: the argv. */
  readonly command: readonly string[] | null;
  readonly cwd: string | null;
  readonly env: readonly string[];
  readonly secretEnv: readonly string[];
  /** http and check: the request. */
  readonly method: string | null;
  readonly url: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: boolean;
  /** What must hold for an http or check step to pass, e.g. `status 200`, `$.ok eq true`. */
  readonly expect: readonly string[];
  readonly instruction: string | null;
  readonly waitMs: number | null;
  readonly timeoutMs: number | null;
  readonly tries: number;
  readonly when: string | null;
}

export interface RunRecord {
  readonly runId: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly services: readonly string[];
  /** Stages that have steps or a result, in pipeline order; `pending` = not decided yet. */
  readonly stages: readonly {
    readonly stage: Stage;
    readonly status: 'passed' | 'failed' | 'pending';
    readonly at: string | null;
    /** Name of the step that failed the stage. */
    readonly failedStep: string | null;
  }[];
  readonly gates: readonly {
    readonly gate: Gate;
    readonly passed: boolean;
    readonly reason: string | null;
    readonly at: string;
  }[];
  readonly aborted: (Stamped & { readonly reason: string }) | null;
  /** Rollback runs: what started them. */
  readonly trigger:
    | (Stamped & { readonly voteId: number | null; readonly automatic: boolean; readonly reason: string })
    | null;
  /** Rollback runs: the step a failed rollback stopped at. */
  readonly failedAt: string | null;
  readonly steps: readonly StepRecord[];
}

export interface FeedbackRecord extends Stamped {
  readonly kind: 'observation' | 'manual_step';
  /** The observation, or the note left with a manual confirmation. */
  readonly text: string | null;
  readonly step: {
    readonly runId: string;
    readonly runKind: RunKind;
    readonly name: string;
    readonly service: string;
    readonly outcome: 'confirmed' | 'failed';
  } | null;
}

/** How many distinct non-numeric values of a monitor's JSON path the record lists. */
export const MAX_DISTINCT_VALUES = 10;

/** The spread of a measured quantity over a monitoring window. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** What one JSON path of a monitor check read over the window. */
export interface MonitorValueRecord {
  readonly path: string;
  /** Rounds in which the path was there to read. */
  readonly rounds: number;
  /** When every value read was a number: their spread; else null and `distinct` says what was read. */
  readonly numeric: Spread | null;
  /** Non-numeric paths: the distinct values read, first seen first, at most MAX_DISTINCT_VALUES. */
  readonly distinct: readonly JsonValue[];
  /** Distinct values left out of `distinct`. */
  readonly moreDistinct: number;
}

export interface PerformanceRecord {
  /**
   * `not_clean`: the window closed with a breach or a check that never reported, or was cut short by a
   * rollback.
   */
  readonly status: 'not_started' | 'running' | 'clean' | 'not_clean';
  readonly startedAt: string | null;
  readonly until: string | null;
  readonly closedAt: string | null;
  /**
   * The window's length and whose verification period it was: the plan's or the policy's (`from` is null
   * for windows recorded before plans could set it). Null when monitoring never started.
   */
  readonly period: { readonly ms: number; readonly from: 'plan' | 'policy' | null } | null;
  readonly checks: readonly {
    readonly name: string;
    /** Rounds recorded in the window (passes + breaches). */
    readonly rounds: number;
    readonly passes: number;
    readonly breaches: number;
    readonly last: { readonly passed: boolean; readonly at: string; readonly detail: string | null } | null;
    /** Over the rounds that got a response; null when none did or none was measured (older releases). */
    readonly latencyMs: Spread | null;
    /** The HTTP statuses the check's responses had, ascending. */
    readonly statuses: readonly number[];
    /** Per JSON path of the check's expectations, what it read. */
    readonly values: readonly MonitorValueRecord[];
  }[];
  readonly breaches: readonly { readonly check: string; readonly at: string; readonly detail: string }[];
  /** The checks that never reported a round before the window closed: no evidence either way. */
  readonly unobserved: readonly string[];
}

export interface IssueRecord extends Stamped {
  readonly issueId: number;
  readonly text: string;
  readonly status: 'resolved' | 'pending';
  readonly workaround: (Stamped & { readonly text: string }) | null;
  readonly resolved: (Stamped & { readonly note: string | null }) | null;
  /** Each reopening, oldest first, with the resolution it undid. */
  readonly reopened: readonly IssueReopeningRecord[];
}

export interface IssueReopeningRecord extends Stamped {
  readonly reason: string | null;
  readonly resolution: Stamped & { readonly note: string | null };
}

export interface PlanEditRef extends Stamped {
  readonly revision: number;
}

/**
 * One approval or rejection, in the order given. `standing`: it counts for the current plan;
 * `voided`: a plan edit cancelled it; `withdrawn`: the same person later decided the other way.
 */
export interface DecisionRecord extends Stamped {
  readonly decision: 'approved' | 'rejected';
  readonly role: Role;
  readonly planHash: string;
  readonly planRevision: number | null;
  readonly comment: string | null;
  readonly reason: string | null;
  readonly status: 'standing' | 'voided' | 'withdrawn';
  readonly voidedBy: PlanEditRef | null;
}

export interface ReadinessItemRecord {
  readonly item: string;
  readonly done: boolean;
  readonly by: PersonRef | null;
  readonly at: string | null;
  readonly automatic: boolean;
  readonly evidence: string | null;
  /** What ticks a derived item (`approvals`: the approval gate is met); null for items people tick. */
  readonly derivedFrom: DerivedItemSource | null;
}

export interface BallotRecord {
  readonly by: PersonRef;
  readonly choice: VoteChoice;
  readonly roles: readonly Role[];
  readonly at: string;
  /** Earlier choices of the same person, oldest first. */
  readonly changedFrom: readonly { readonly choice: VoteChoice; readonly at: string }[];
}

export interface VoteRecord {
  readonly voteId: number;
  readonly trigger: RollbackTrigger;
  readonly reason: string;
  readonly automatic: boolean;
  readonly proposedBy: PersonRef;
  readonly proposedAt: string;
  readonly expiresAt: string;
  readonly status: 'open' | 'passed' | 'failed' | 'expired';
  readonly closedAt: string | null;
  /** The count the vote closed with, or the current count while it is open. */
  readonly tally: { readonly for: number; readonly against: number };
  /** The standing ballot of each voter, in order of their first vote. */
  readonly ballots: readonly BallotRecord[];
}

export interface DocumentationRecord {
  readonly item: DocItem;
  readonly group: 'system' | 'process';
  readonly label: string;
  readonly done: boolean;
  readonly by: PersonRef | null;
  readonly at: string | null;
}

export interface TimelineEntry {
  readonly at: string;
  readonly by: PersonRef;
  readonly type: HotfixEventType;
  /** What happened, without the actor: "approved the plan as technical". */
  readonly text: string;
}

/** The deployment record as JSON (`schemaVersion: 4`). Sections follow the Markdown. */
export interface DeploymentRecord {
  readonly schemaVersion: typeof RECORD_SCHEMA_VERSION;
  readonly hotfixId: string;
  /** The IANA zone the Markdown prints times in; every time in the JSON is an ISO instant. */
  readonly timezone: string;
  readonly issue: string;
  readonly summary: string;
  readonly release: { readonly version: string; readonly previousVersion: string };
  /** When the code reached production (execution stage passed), else when the hotfix started. */
  readonly date: { readonly at: string; readonly kind: 'deployed' | 'started' } | null;
  readonly implementation: {
    readonly changesDeployed: {
      /** A deploy run got past its execution stage. */
      readonly deployed: boolean;
      /** The last rollback run, when it succeeded: the changes are no longer in production. */
      readonly rolledBack: { readonly runId: string; readonly at: string } | null;
      readonly code: readonly string[];
      /**
       * The database steps that ran in deploy runs (`name (service)`): tagged `database`, or in runs recorded
       * without tags, `when: database_changes`. What ran, not what the plan says.
       */
      readonly database: readonly string[];
      /** The database changes the plan lists (migrations): what those steps were to apply. */
      readonly databasePlanned: readonly string[];
      readonly config: readonly string[];
      readonly services: readonly ServiceRecord[];
    };
    readonly verification: {
      readonly system: {
        readonly status: SystemCheckStatus;
        readonly runId: string | null;
        readonly stage: 'passed' | 'failed' | 'pending' | null;
        readonly failedStep: string | null;
        readonly gate: {
          readonly passed: boolean;
          readonly reason: string | null;
          readonly at: string;
        } | null;
      };
      /** The verification steps of the last deploy run. */
      readonly tests: readonly StepRecord[];
      readonly users: readonly FeedbackRecord[];
      readonly performance: PerformanceRecord;
    };
  };
  readonly issues: {
    readonly found: number;
    readonly resolved: number;
    readonly pending: number;
    readonly workarounds: readonly (Stamped & { readonly issueId: number; readonly text: string })[];
    readonly list: readonly IssueRecord[];
  };
  /** The expected roles first (signed or not), then any other role that signed. */
  readonly signoffs: readonly {
    readonly role: Role;
    readonly by: PersonRef | null;
    readonly at: string | null;
  }[];
  readonly outcome: {
    readonly status: OutcomeStatus;
    readonly phase: Phase;
    readonly started: Stamped | null;
    readonly closed: Stamped | null;
    readonly cancelled: (Stamped & { readonly reason: string }) | null;
    /**
     * When the monitoring window closed with breaches or checks that never reported: how many breaches, which
     * checks went unobserved, each deciding role's acceptance (with its
     * reason), and when the last one made the hotfix verified (null while the decision is pending, or when it
     * was rolled back instead). Null after a clean window or none.
     */
    readonly breachesAccepted: {
      readonly breaches: number;
      readonly unobserved: readonly string[];
      readonly acceptances: readonly (Stamped & { readonly role: Role; readonly reason: string })[];
      readonly accepted: Stamped | null;
    } | null;
  };
  readonly plan: {
    readonly revision: number;
    readonly hash: string;
    readonly edits: readonly (PlanEditRef & { readonly hash: string; readonly previousHash: string })[];
    readonly severity: Severity;
    /** The plan's risk assessment; null when the plan has none (plans made before the form asked for it). */
    readonly risk: { readonly level: RiskLevel; readonly assessment: string } | null;
    readonly communicationPlan: string | null;
    readonly services: readonly string[];
    readonly dependencies: {
      readonly systems: readonly string[];
      readonly services: readonly string[];
      readonly databases: readonly string[];
      readonly external: readonly string[];
    };
    readonly timeline: {
      readonly start: string | null;
      readonly durationEstimate: string | null;
      readonly targetCompletion: string | null;
      readonly verificationPeriod: string | null;
    };
    readonly resources: {
      readonly technical: readonly PersonRef[];
      readonly support: readonly PersonRef[];
      readonly business: readonly PersonRef[];
      readonly management: readonly PersonRef[];
    };
  };
  readonly approvals: readonly DecisionRecord[];
  readonly readiness: Readonly<Record<Checklist, readonly ReadinessItemRecord[]>>;
  readonly timeline: readonly TimelineEntry[];
  readonly deployments: readonly RunRecord[];
  readonly rollback: { readonly votes: readonly VoteRecord[]; readonly runs: readonly RunRecord[] };
  readonly documentation: readonly DocumentationRecord[];
  readonly lessons: readonly (Stamped & { readonly text: string })[];
  readonly events: {
    readonly count: number;
    readonly chain: { readonly head: string; readonly count: number } | null;
  };
}
