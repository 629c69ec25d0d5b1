import { capitalize } from '../../../domain/hotfix/format.ts';
import type { DeploymentRecord } from '../../../domain/hotfix/record.ts';
import type { CardElement, TeamsCard, TextBlock } from './adaptive.ts';
import { card, CARD_BUDGET_BYTES, cardBytes, container, showCard, text } from './adaptive.ts';
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
import type { RecordRead } from '../../common/record.ts';
import { plural } from '../../common/text.ts';

/** The record rebuilt from the stream, its Markdown, and where its hash chain breaks (null when it verifies). */
export type RecordView = Pick<RecordRead, 'record' | 'markdown' | 'broken'>;

const oneLine = (text: string, max: number): string => userText(text, max, true);
/** A list of the summary, one Markdown paragraph per line. */
const listed = (items: readonly string[], none: string): string => listedLines(items, none, '\n\n');

/** The button that opens the whole record below the summary. */
export const SHOW_RECORD = '📄 Show the whole record';

const title = (record: DeploymentRecord): TextBlock =>
  text(`📄 Deployment record · ${userText(record.hotfixId, 60, true)}`, { size: 'large', weight: 'bolder' });

/** The summary's last line: whether the hash chain holds, and where the whole record is. */
const chainNote = ({ record, broken }: Omit<RecordView, 'markdown'>): TextBlock =>
  text(
    broken === null
      ? `🔗 ${record.events.count} events, hash chain verified. The whole record opens below; hotfix record ${userText(record.hotfixId, 60, true)} prints it.`
      : `⚠️ ${userText(capitalize(broken), 500, true)}. The whole record opens below.`,
    { isSubtle: true, size: 'small', color: broken === null ? 'default' : 'attention' },
  );

/**
 * The record as people read it in the thread (as Slack's summary): what was deployed and how it ended, who
 * approved and signed off, each run, issues and lessons, and whether the hash chain holds.
 */
const summaryElements = ({ record, broken }: Omit<RecordView, 'markdown'>): CardElement[] => {
  const who = stampedBy(record, oneLine);
  const { release, outcome, plan } = record;
  const breaches = breachesNote(record, oneLine);
  const section = (markdown: string): CardElement => container([text(markdown)], { separator: true });
  return [
    title(record),
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
    chainNote({ record, broken }),
  ];
};

const utf8 = new TextEncoder();
/** What a line costs in the card's JSON: its escaped text, JSON-quoted, and the paragraph break after it. */
const lineBytes = (line: string): number => utf8.encode(JSON.stringify(line)).length + 4;

/** Lines per TextBlock: long enough to keep the card's structure small, short enough for a client to lay out. */
const LINES_PER_BLOCK = 80;

const monospace = (markdown: string): TextBlock =>
  text(markdown, { fontType: 'monospace', size: 'small', spacing: 'none' });

/** What a block costs besides its lines (its type and options, the comma before it): paid with its first line. */
const BLOCK_BYTES = utf8.encode(JSON.stringify(monospace('\u00a0'))).length + 1;

/**
 * The Markdown source's lines, escaped, in monospace blocks holding at most `budget` bytes of card JSON, and
 * how many lines did not fit.
 */
const sourceBlocks = (source: readonly string[], budget: number): { blocks: TextBlock[]; cut: number } => {
  let used = 0;
  const shown: string[] = [];
  for (const line of source) {
    const escaped = escapeCardMarkdown(line) || '\u00a0';
    const cost = lineBytes(escaped) + (shown.length % LINES_PER_BLOCK === 0 ? BLOCK_BYTES : 0);
    if (used + cost > budget) break;
    used += cost;
    shown.push(escaped);
  }
  const blocks: TextBlock[] = [];
  for (let i = 0; i < shown.length; i += LINES_PER_BLOCK)
    blocks.push(monospace(lines(...shown.slice(i, i + LINES_PER_BLOCK))));
  return { blocks, cut: source.length - shown.length };
};

/**
 * The deployment record as one thread message: its summary, and the whole Markdown record behind
 * "📄 Show the whole record" (an `Action.ShowCard`), so the thread's followers are notified once. Teams bots
 * cannot upload files to a channel, so the record is the Markdown source, line for line in monospace, not
 * rendered: Teams' message Markdown has no tables and Adaptive Card Markdown neither headings nor tables, so
 * rendered it would lose its structure, while the source reads as the file `hotfix record` prints, can be
 * copied into a file for `hotfix verify --record`, and goes through the same escaping as every card (so it
 * stays inert). The summary is measured first and the source gets the rest of the size budget; past it the
 * rest is cut, and the card says how many lines and where to get them all.
 *
 * `summaryPosted`: the thread already has the summary as a message of its own (see the Teams surface), so
 * only the title and the chain's note come before the button.
 */
export const renderRecord = (view: RecordView, { summaryPosted = false } = {}): TeamsCard => {
  const { record } = view;
  const id = userText(record.hotfixId, 60, true);
  const summary = summaryPosted ? [title(record), chainNote(view)] : summaryElements(view);
  const head = text(`The Markdown file, as hotfix record ${id} prints it`, { isSubtle: true, size: 'small' });
  const cutNote = (cut: number) =>
    text(
      `✂️ ${plural(cut, 'more line')} of the record not shown: a Teams message holds about 80 KB. hotfix record ${id} prints it whole.`,
      { color: 'warning', weight: 'bolder' },
    );
  const whole = (source: readonly CardElement[]) =>
    card(summary, [showCard(SHOW_RECORD, [head, ...source], [])]);
  const source = view.markdown.replace(/\n+$/, '').split('\n');
  // Everything but the source's lines, with the longest cut note there could be: the lines get what is left.
  const frame = cardBytes(whole([cutNote(source.length)]));
  const { blocks, cut } = sourceBlocks(source, CARD_BUDGET_BYTES - frame);
  return {
    card: whole([...blocks, ...(cut > 0 ? [cutNote(cut)] : [])]),
    summary: plainText(summaryText(record), 300),
  };
};
