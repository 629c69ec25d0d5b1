import type { KnownBlock } from '@slack/types';
import { capitalize } from '../../domain/hotfix/format.ts';
import type { RecordRead } from '../common/record.ts';
import {
  breachesNote,
  issueTotals,
  listed,
  OUTCOME_LABELS as OUTCOME,
  runLines,
  stampedBy,
  summaryText,
} from '../common/record.ts';
import { LIMITS } from './blocks/limits.ts';
import { md, plain, userText } from './blocks/text.ts';

const oneLine = (text: string, max: number): string => userText(text, max, true);

/**
 * The record as a message people read in Slack: what was deployed and how it ended, who approved and signed
 * off, each run, issues and lessons, and whether the hash chain holds; the whole record is the Markdown file
 * in the hotfix's thread (Slack's mrkdwn has no headings or tables to show it as written).
 */
export const recordSummary = (read: RecordRead): { text: string; blocks: KnownBlock[] } => {
  const { record, broken } = read;
  const who = stampedBy(record, oneLine);
  const field = (label: string, value: string) => md(`*${label}*\n${value}`, LIMITS.sectionFieldText);
  const section = (text: string): KnownBlock => ({ type: 'section', text: md(text, LIMITS.sectionText) });
  const { release, outcome, plan } = record;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`📄 Deployment record · ${record.hotfixId}`, LIMITS.headerText) },
    {
      type: 'section',
      text: md(userText(record.summary, 1000), LIMITS.sectionText),
      fields: [
        field('Outcome', [OUTCOME[outcome.status], breachesNote(record, oneLine)].filter(Boolean).join('\n')),
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
    section(`*Runs*\n${listed(runLines(record, oneLine), 'no deploy was run')}`),
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
      `*Issues* ${issueTotals(record)}` +
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
  return { text: summaryText(record), blocks };
};
