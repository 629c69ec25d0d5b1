import type { KnownBlock } from '@slack/types';
import type { HotfixCommand } from '../../domain/hotfix/commands.ts';
import type { RuleCode } from '../../domain/hotfix/errors.ts';
import { USAGE, usageReply } from '../common/command-text.ts';
import * as wording from '../common/wording.ts';
import { escapeMrkdwn, md } from './blocks/text.ts';

/** A refusal from the domain, as the person who asked sees it (its message may quote user text); nothing was changed. */
export const refusalText = (code: RuleCode, message: string): string =>
  escapeMrkdwn(wording.refusalText(code, message));

/** What a person hears when their command repeated something already done (a double click, a retry). */
export const repeatText = (hotfixId: string, command: HotfixCommand): string =>
  escapeMrkdwn(wording.repeatText(hotfixId, command));

/**
 * A mistyped `/hotfix …`: the problem, then one usage line. Escaped whole: the problem may quote what was
 * typed, and usage lines show `<id>`, which Slack would read as a link.
 */
export const usageText = (sub: { readonly problem: string; readonly usage: string }): string =>
  escapeMrkdwn(usageReply(sub));

export const helpMessage = (): { text: string; blocks: KnownBlock[] } => {
  const lines = USAGE.map(([usage, what]) => `\`${escapeMrkdwn(usage)}\` — ${escapeMrkdwn(what)}`).join('\n');
  return {
    text: `hotfix commands:\n${lines}`,
    blocks: [
      { type: 'section', text: md(wording.HELP_INTRO.replace(/^hotfix\b/, '*hotfix*')) },
      { type: 'section', text: md(lines) },
      { type: 'context', elements: [md(wording.HELP_NOTE)] },
    ],
  };
};

/** A form's refusal that came after Slack had closed the form, so it could not be shown under the fields. */
export const lateFormRefusal = (problems: readonly string[]): string =>
  `⌛ Slack closed your form before hotfix had checked it, and it was not accepted; nothing was recorded:\n${problems.map((problem) => `• ${problem}`).join('\n')}\nOpen the form again to fix that.`;
