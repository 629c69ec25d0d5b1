import type { KnownBlock } from '@slack/types';
import { buildRecord, renderRecordMarkdown } from '../../domain/hotfix/record.ts';
import type { BotDeps } from './deps.ts';
import { LIMITS, RENDER_BUDGET } from './blocks/limits.ts';
import { md } from './blocks/text.ts';

/** The deployment record in Markdown, rebuilt from the stream and its verified hash chain; null if no hotfix. */
export const recordMarkdown = async (
  deps: Pick<BotDeps, 'store' | 'config' | 'policy'>,
  hotfixId: string,
): Promise<string | null> => {
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
  const warning = chain.ok
    ? ''
    : `\n> ⚠️ The event chain is broken at event ${chain.position}: ${chain.reason}\n`;
  return `${renderRecordMarkdown(record)}${warning}`;
};

const CHUNK = LIMITS.sectionText - 10;
/** Slack refuses a message whose blocks hold more than ~12,000 characters: stay under the render budget. */
const BUDGET = RENDER_BUDGET.messageStrings - 500;

/**
 * The record as a message: the Markdown in code blocks of at most one section each (Slack's mrkdwn has no
 * headings or tables, so the text is shown as written), cut with a pointer to the full file when too long.
 */
export const recordMessage = (hotfixId: string, markdown: string): { text: string; blocks: KnownBlock[] } => {
  const lines = markdown.split('\n');
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    const piece = line.length > CHUNK ? `${line.slice(0, CHUNK - 1)}…` : line;
    if (current.length + piece.length + 1 > CHUNK) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') chunks.push(current);
  const shown: string[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (used + chunk.length > BUDGET) break;
    shown.push(chunk);
    used += chunk.length + 10;
  }
  const blocks: KnownBlock[] = shown.map((chunk) => ({
    type: 'section',
    text: md(`\`\`\`${chunk.replace(/```/g, "'''")}\`\`\``, LIMITS.sectionText),
  }));
  if (chunks.length > shown.length)
    blocks.push({
      type: 'context',
      elements: [
        md(
          `The record is longer than a message: the full file is in the hotfix thread, and \`hotfix record ${hotfixId}\` prints it.`,
        ),
      ],
    });
  return { text: `Deployment record of ${hotfixId}`, blocks };
};
