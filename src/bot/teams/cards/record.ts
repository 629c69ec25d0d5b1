import { capitalize } from '../../../domain/hotfix/format.ts';
import type { DeploymentRecord } from '../../../domain/hotfix/record.ts';
import type { CardElement, TeamsCard } from './adaptive.ts';
import { card, CARD_BUDGET_BYTES, container, text } from './adaptive.ts';
import { bold, escapeCardMarkdown, lines, plainText, userText } from './text.ts';
import {
  breachesNote,
  issueTotals,
  listed as listedLines,
  OUTCOME_LABELS as OUTCOME,
  runLines,
  stampedBy,
  summaryText,
} from '../../common/record.ts';
import { plural } from '../../common/text.ts';

/** The record rebuilt from the stream, and where its hash chain breaks (null when it verifies). */
export interface RecordView {
  readonly record: DeploymentRecord;
  readonly broken: string | null;
}

const oneLine = (text: string, max: number): string => userText(text, max, true);
/** A list of the summary, one Markdown paragraph per line. */
const listed = (items: readonly string[], none: string): string => listedLines(items, none, '\n\n');

/**
 * The record as a card people read in the thread (as Slack's summary): what was deployed and how it ended,
 * who approved and signed off, each run, issues and lessons, and whether the hash chain holds.
 */
export const renderRecordSummary = ({ record, broken }: RecordView): TeamsCard => {
  const who = stampedBy(record, oneLine);
  const { release, outcome, plan } = record;
  const breaches = breachesNote(record, oneLine);
  const section = (markdown: string): CardElement => container([text(markdown)], { separator: true });
  const body: CardElement[] = [
    text(`📄 Deployment record · ${userText(record.hotfixId, 60, true)}`, {
      size: 'large',
      weight: 'bolder',
    }),
    text(userText(record.summary, 1000)),
    text(
      lines(
        `${bold('Outcome')} ${OUTCOME[outcome.status]}${breaches === null ? '' : ` — ${breaches}`}`,
        `${bold('Issue')} ${userText(record.issue, 200, true)}`,
        `${bold('Version')} ${userText(release.previousVersion, 100, true)} → ${userText(release.version, 100, true)}`,
        `${bold('Severity')} ${capitalize(plan.severity)}`,
        `${bold('Services')} ${userText(plan.services.join(', '), 500, true)}`,
        `${bold('Started by')} ${who(outcome.started)}`,
        `${bold(outcome.cancelled ? 'Cancelled by' : 'Closed by')} ${who(outcome.cancelled ?? outcome.closed)}`,
      ),
    ),
    section(
      lines(
        bold('Approvals'),
        listed(
          record.approvals.map(
            (d) =>
              `${d.decision === 'approved' ? '✅' : '❌'} ${userText(capitalize(d.role), 60, true)}: ${who(d)}`,
          ),
          'none',
        ),
      ),
    ),
    section(lines(bold('Runs'), listed(runLines(record, oneLine), 'no deploy was run'))),
    section(
      lines(
        bold('Sign-offs'),
        listed(
          record.signoffs.map(
            (s) =>
              `${s.by ? '✅' : '▫️'} ${userText(capitalize(s.role), 60, true)}: ${s.by && s.at ? who({ by: s.by, at: s.at }) : 'not signed off'}`,
          ),
          'none required',
        ),
      ),
    ),
    section(
      lines(
        `${bold('Issues')} ${issueTotals(record)}`,
        bold('Lessons learned'),
        listed(
          record.lessons.map((l) => `• ${userText(l.text, 200, true)}`),
          'none noted',
        ),
      ),
    ),
    text(
      broken === null
        ? `🔗 ${record.events.count} events, hash chain verified. The whole record is the next message in this thread; hotfix record ${userText(record.hotfixId, 60, true)} prints it.`
        : `⚠️ ${userText(capitalize(broken), 500, true)}. The whole record is the next message in this thread.`,
      { isSubtle: true, size: 'small', color: broken === null ? 'default' : 'attention' },
    ),
  ];
  return {
    card: card(body),
    summary: plainText(summaryText(record), 300),
  };
};

const utf8 = new TextEncoder();
/** What a line costs in the card's JSON: its escaped text, JSON-quoted, and the paragraph break after it. */
const lineBytes = (line: string): number => utf8.encode(JSON.stringify(line)).length + 4;

/** Lines per TextBlock: long enough to keep the card's structure small, short enough for a client to lay out. */
const LINES_PER_BLOCK = 80;

/**
 * The whole Markdown record as a thread message (Teams bots cannot upload files to a channel). It is sent as
 * the Markdown source, line for line in monospace, not rendered: Teams' message Markdown has no tables and
 * Adaptive Card Markdown neither headings nor tables, so rendered it would lose its structure, while the
 * source reads as the file `hotfix record` prints, can be copied into a file for `hotfix verify --record`,
 * and goes through the same escaping as every card (so it stays inert). Past the size budget the rest is
 * cut, and the message says how many lines and where to get them all.
 */
export const renderRecordDocument = (hotfixId: string, markdown: string): TeamsCard => {
  const head = text(
    `📄 ${bold('Deployment record')} ${userText(hotfixId, 60, true)} — the Markdown file, as hotfix record ${userText(hotfixId, 60, true)} prints it`,
  );
  const source = markdown.replace(/\n+$/, '').split('\n');
  const budget = CARD_BUDGET_BYTES - 4000;
  let used = 0;
  const shown: string[] = [];
  for (const line of source) {
    const escaped = escapeCardMarkdown(line) || '\u00a0';
    const cost = lineBytes(escaped);
    if (used + cost > budget) break;
    used += cost;
    shown.push(escaped);
  }
  const blocks: CardElement[] = [];
  for (let i = 0; i < shown.length; i += LINES_PER_BLOCK)
    blocks.push(
      text(lines(...shown.slice(i, i + LINES_PER_BLOCK)), {
        fontType: 'monospace',
        size: 'small',
        spacing: 'none',
      }),
    );
  const cut = source.length - shown.length;
  const note =
    cut > 0
      ? [
          text(
            `✂️ ${plural(cut, 'more line')} of the record not shown: a Teams message holds about 80 KB. hotfix record ${userText(hotfixId, 60, true)} prints it whole.`,
            { color: 'warning', weight: 'bolder' },
          ),
        ]
      : [];
  return {
    card: card([head, ...blocks, ...note]),
    summary: plainText(`Deployment record of ${hotfixId} (Markdown)${cut > 0 ? ', cut to fit' : ''}`, 300),
  };
};
