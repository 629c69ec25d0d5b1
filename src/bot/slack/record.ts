import type { KnownBlock } from '@slack/types';
import type { DeploymentRecord, OutcomeStatus, RunRecord, Stamped } from '../../domain/hotfix/record.ts';
import { buildRecord, renderRecordMarkdown } from '../../domain/hotfix/record.ts';
import { capitalize, clockface, formatDuration } from '../../domain/hotfix/format.ts';
import type { BotDeps } from './deps.ts';
import { LIMITS } from './blocks/limits.ts';
import { md, plain, plural, userText } from './blocks/text.ts';

export interface RecordRead {
  readonly record: DeploymentRecord;
  /** The whole record as Markdown (the file in the thread, `hotfix record`). */
  readonly markdown: string;
  /** Set when the hash chain does not verify: where it breaks and why. */
  readonly broken: string | null;
}

/** The deployment record, rebuilt from the stream and its verified hash chain; null if there is no hotfix. */
export const readRecord = async (
  deps: Pick<BotDeps, 'store' | 'config' | 'policy'>,
  hotfixId: string,
): Promise<RecordRead | null> => {
  const { events } = await deps.store.load(hotfixId);
  if (events.length === 0) return null;
  const chain = await deps.store.verify(hotfixId);
  const record = buildRecord(
    events.map((e) => e.event),
    {
      timezone: deps.config().timezone,
      signoffRoles: deps.policy().signoffs,
      ...(chain.ok ? { chain: { head: chain.head, count: chain.count } } : {}),
    },
  );
  const broken = chain.ok ? null : `the event chain is broken at event ${chain.position}: ${chain.reason}`;
  const warning = broken === null ? '' : `\n> ⚠️ ${capitalize(broken)}\n`;
  return { record, markdown: `${renderRecordMarkdown(record)}${warning}`, broken };
};

/** The deployment record in Markdown; null if there is no hotfix. */
export const recordMarkdown = async (
  deps: Pick<BotDeps, 'store' | 'config' | 'policy'>,
  hotfixId: string,
): Promise<string | null> => (await readRecord(deps, hotfixId))?.markdown ?? null;

const OUTCOME: Readonly<Record<OutcomeStatus, string>> = {
  deployed: '✅ Deployed',
  rolled_back: '↩️ Rolled back',
  failed: '❌ Failed',
  cancelled: '🚫 Cancelled',
  in_progress: '⏳ In progress',
};
const RUN_STATUS: Readonly<Record<RunRecord['status'], string>> = {
  running: '⏳ running',
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  aborted: '⏹️ aborted',
};
/** Lines per list before "and n more": the file in the thread has them all. */
const LIST = 8;

const listed = (lines: readonly string[], none: string): string => {
  if (lines.length === 0) return none;
  const more = lines.length - LIST;
  return [...lines.slice(0, LIST), ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
};

/**
 * The record as a message people read in Slack: what was deployed and how it ended, who approved and signed
 * off, each run, issues and lessons, and whether the hash chain holds; the whole record is the Markdown file
 * in the hotfix's thread (Slack's mrkdwn has no headings or tables to show it as written).
 */
export const recordSummary = (read: RecordRead): { text: string; blocks: KnownBlock[] } => {
  const { record, broken } = read;
  const face = clockface(record.timezone);
  const who = (s: Stamped | null) =>
    s === null ? '—' : `${userText(s.by.name || s.by.id, 80, true)}, ${face.minute(s.at)}`;
  const field = (label: string, value: string) => md(`*${label}*\n${value}`, LIMITS.sectionFieldText);
  const section = (text: string): KnownBlock => ({ type: 'section', text: md(text, LIMITS.sectionText) });
  const { release, outcome, plan } = record;
  const runs = [...record.deployments, ...record.rollback.runs].map((run) => {
    const took =
      run.finishedAt === null
        ? ''
        : ` in ${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}`;
    const failed = run.steps.find((step) => step.status === 'failed');
    const where = failed
      ? ` at ${userText(failed.name, 80, true)} (${userText(failed.service, 40, true)})`
      : '';
    return `${run.kind === 'rollback' ? 'Rollback' : 'Deploy'} ${RUN_STATUS[run.status]}${took}${where}, ${plural(run.steps.length, 'step')}`;
  });
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`📄 Deployment record · ${record.hotfixId}`, LIMITS.headerText) },
    {
      type: 'section',
      text: md(userText(record.summary, 1000), LIMITS.sectionText),
      fields: [
        field('Outcome', OUTCOME[outcome.status]),
        field('Issue', userText(record.issue, 200, true)),
        field(
          'Version',
          `${userText(release.previousVersion, 100, true)} → ${userText(release.version, 100, true)}`,
        ),
        field('Severity', capitalize(plan.severity)),
        field('Services', userText(plan.services.join(', '), 500, true)),
        field('Started by', who(outcome.started)),
        field(outcome.cancelled ? 'Cancelled by' : 'Closed by', who(outcome.cancelled ?? outcome.closed)),
      ],
    },
    section(
      `*Approvals*\n${listed(
        record.approvals.map(
          (d) => `${d.decision === 'approved' ? '✅' : '❌'} ${capitalize(d.role)}: ${who(d)}`,
        ),
        'none',
      )}`,
    ),
    section(`*Runs*\n${listed(runs, 'no deploy was run')}`),
    section(
      `*Sign-offs*\n${listed(
        record.signoffs.map(
          (s) =>
            `${s.by ? '✅' : '▫️'} ${capitalize(s.role)}: ${s.by && s.at ? who({ by: s.by, at: s.at }) : 'not signed off'}`,
        ),
        'none required',
      )}`,
    ),
    section(
      `*Issues* ${record.issues.found} found, ${record.issues.resolved} resolved, ${record.issues.pending} pending` +
        `\n*Lessons learned*\n${listed(
          record.lessons.map((l) => `• ${userText(l.text, 200, true)}`),
          'none noted',
        )}`,
    ),
    {
      type: 'context',
      elements: [
        md(
          broken === null
            ? `🔗 ${record.events.count} events, hash chain verified. The full record is the Markdown file in the hotfix's thread; \`hotfix record ${record.hotfixId}\` prints it.`
            : `⚠️ ${userText(capitalize(broken), 500)}. The full record is the Markdown file in the hotfix's thread.`,
        ),
      ],
    },
  ];
  return { text: `Deployment record of ${record.hotfixId}: ${OUTCOME[outcome.status]}`, blocks };
};
