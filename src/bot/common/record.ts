import type { Config } from '../../config/load.ts';
import { capitalize, clockface, formatDuration } from '../../domain/hotfix/format.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import { identify } from '../../domain/hotfix/policy.ts';
import type { DeploymentRecord, OutcomeStatus, RunRecord, Stamped } from '../../domain/hotfix/record.ts';
import { buildRecord, renderRecordMarkdown } from '../../domain/hotfix/record.ts';
import type { EventStore } from '../../service/ports.ts';
import type { Escape } from './text.ts';
import { plural } from './text.ts';
import { findings } from '../../domain/hotfix/queries.ts';

/** What reading a record needs: the stream and its chain, the time zone and the sign-off roles. */
export interface RecordDeps {
  readonly store: Pick<EventStore, 'load' | 'verify'>;
  readonly config: () => Pick<Config, 'timezone'>;
  /** With its approvals and derived items, the record shows a derived checklist item as the cards do. */
  readonly policy: () => Pick<Policy, 'signoffs' | 'people'> &
    Partial<Pick<Policy, 'approvals' | 'derivedItems'>>;
}

export interface RecordRead {
  readonly record: DeploymentRecord;
  /** The whole record as Markdown (the file or message in the thread, `hotfix record`). */
  readonly markdown: string;
  /** Set when the hash chain does not verify: where it breaks and why. */
  readonly broken: string | null;
}

const readinessOf = ({ people, approvals, derivedItems }: ReturnType<RecordDeps['policy']>) =>
  approvals === undefined || derivedItems === undefined
    ? {}
    : { readiness: { people, approvals, derivedItems } };

/** The deployment record, rebuilt from the stream and its verified hash chain; null if there is no hotfix. */
export const readRecord = async (deps: RecordDeps, hotfixId: string): Promise<RecordRead | null> => {
  const { events } = await deps.store.load(hotfixId);
  if (events.length === 0) return null;
  const chain = await deps.store.verify(hotfixId);
  const record = buildRecord(
    events.map((e) => e.event),
    {
      timezone: deps.config().timezone,
      signoffRoles: deps.policy().signoffs,
      identify: (who) => identify(deps.policy(), who),
      ...readinessOf(deps.policy()),
      ...(chain.ok ? { chain: { head: chain.head, count: chain.count } } : {}),
    },
  );
  const broken = chain.ok ? null : `the event chain is broken at event ${chain.position}: ${chain.reason}`;
  const warning = broken === null ? '' : `\n> ⚠️ ${capitalize(broken)}\n`;
  return { record, markdown: `${renderRecordMarkdown(record)}${warning}`, broken };
};

/** The deployment record in Markdown; null if there is no hotfix. */
export const recordMarkdown = async (deps: RecordDeps, hotfixId: string): Promise<string | null> =>
  (await readRecord(deps, hotfixId))?.markdown ?? null;

/** How a record's outcome reads in a summary. */
export const OUTCOME_LABELS: Readonly<Record<OutcomeStatus, string>> = {
  deployed: '✅ Deployed',
  rolled_back: '↩️ Rolled back',
  failed: '❌ Failed',
  cancelled: '🚫 Cancelled',
  in_progress: '⏳ In progress',
};

/** How a run's status reads in a summary. */
export const RUN_STATUS_LABELS: Readonly<Record<RunRecord['status'], string>> = {
  running: '⏳ running',
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  aborted: '⏹️ aborted',
};

/** Lines per list in a summary before "…and n more": the whole record has them all. */
export const SUMMARY_LIST = 8;

/**
 * At most `SUMMARY_LIST` lines and how many more there are, or `none` when there are none; `separator` is
 * the edge's line break.
 */
export const listed = (lines: readonly string[], none: string, separator = '\n'): string => {
  if (lines.length === 0) return none;
  const more = lines.length - SUMMARY_LIST;
  return [...lines.slice(0, SUMMARY_LIST), ...(more > 0 ? [`…and ${more} more`] : [])].join(separator);
};

/** `Theo Tech, 2025-03-14 09:05` in the record's zone: who did something and when; `—` when nobody did. */
export const stampedBy = (record: DeploymentRecord, escape: Escape): ((s: Stamped | null) => string) => {
  const face = clockface(record.timezone);
  return (s) => (s === null ? '—' : `${escape(s.by.name || s.by.id, 80)}, ${face.minute(s.at)}`);
};

/** A run in the summary: `Deploy ✅ succeeded in 4m, 5 steps`, or where it failed. */
export const runLine = (run: RunRecord, escape: Escape): string => {
  const took =
    run.finishedAt === null
      ? ''
      : ` in ${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}`;
  const failed = run.steps.find((step) => step.status === 'failed');
  const where = failed ? ` at ${escape(failed.name, 80)} (${escape(failed.service, 40)})` : '';
  return `${run.kind === 'rollback' ? 'Rollback' : 'Deploy'} ${RUN_STATUS_LABELS[run.status]}${took}${where}, ${plural(run.steps.length, 'step')}`;
};

/** Every run of the record, deploys then rollbacks. */
export const runLines = (record: DeploymentRecord, escape: Escape): string[] =>
  [...record.deployments, ...record.rollback.runs].map((run) => runLine(run, escape));

/**
 * After the outcome, when the monitoring window closed with breaches: `verified with 1 breach, accepted by
 * Theo Tech (technical), …`, or that a decision is still awaited (or never came: rolled back instead). Null
 * after a clean window or none. As the record's Outcome section says it.
 */
export const breachesNote = (record: DeploymentRecord, escape: Escape): string | null => {
  const review = record.outcome.breachesAccepted;
  if (review === null) return null;
  const found = findings(review.breaches, review.unobserved, (check) => escape(check, 80));
  const by = review.acceptances
    .map((a) => `${escape(a.by.name || a.by.id, 80)} (${escape(a.role, 40)})`)
    .join(', ');
  if (review.accepted) return `⚠️ verified with ${found}, accepted by ${by}`;
  const so = by === '' ? '' : ` (accepted so far by ${by})`;
  const monitoring =
    review.unobserved.length === 0 ? `${found} found by monitoring` : `monitoring closed with ${found}`;
  return record.outcome.phase === 'breach_review'
    ? `⚠️ ${monitoring}: waiting for a decision${so}`
    : `⚠️ ${monitoring}, not accepted${so}`;
};

/** After `Issues`: `3 found, 2 resolved, 1 pending`. */
export const issueTotals = (record: DeploymentRecord): string =>
  `${record.issues.found} found, ${record.issues.resolved} resolved, ${record.issues.pending} pending`;

/** The notification text of the summary. */
export const summaryText = (record: DeploymentRecord): string =>
  `Deployment record of ${record.hotfixId}: ${OUTCOME_LABELS[record.outcome.status]}`;
