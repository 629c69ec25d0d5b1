import { createHash } from 'node:crypto';
import type { Person } from './people.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

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
}

/** JSON with object keys sorted, so equal plans hash equally whatever order their fields were built in. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** Approvals are bound to this hash: any edit of the plan changes it. */
export const planHash = (plan: Plan): string =>
  createHash('sha256').update(canonical(plan)).digest('hex').slice(0, 16);
