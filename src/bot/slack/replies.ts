import type { KnownBlock } from '@slack/types';
import type { HotfixCommand } from '../../domain/hotfix/commands.ts';
import type { RuleCode } from '../../domain/hotfix/errors.ts';
import { holdsLock } from '../../domain/hotfix/queries.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { LockHolder } from '../common/actions.ts';
import { PHASE_EMOJI, PHASE_LABELS } from '../common/labels.ts';
import { times } from '../common/times.ts';
import { USAGE, usageReply } from '../common/command-text.ts';
import * as wording from '../common/wording.ts';
import { escapeMrkdwn, md, userText } from './blocks/text.ts';

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

/** Hotfixes listed in one reply; the rest are counted. */
const LIST_MAX = 40;

export interface HotfixListOptions {
  readonly title?: string;
  readonly timezone: string;
  readonly now: Date;
  /** Deploy locks on the listed hotfixes' services, by service. */
  readonly locks?: Readonly<Record<string, LockHolder>>;
  /** Below the list: how to see one hotfix. */
  readonly footer?: string;
}

/**
 * `/hotfix list` and `/hotfix status` with several hotfixes: one line per hotfix (phase, issue, services, its
 * lock), then the services locked, by whom and since when, in the config's zone and relative to now.
 */
export const hotfixListText = (states: readonly HotfixState[], options: HotfixListOptions): string => {
  const t = times(options.timezone, options.now);
  const lines = states
    .slice(0, LIST_MAX)
    .map(
      (s) =>
        `${PHASE_EMOJI[s.phase]} *${s.id}* · ${userText(s.plan.issueId, 80, true)} · ${PHASE_LABELS[s.phase]} · ${userText(s.plan.services.join(', '), 200, true)}${holdsLock(s) ? ' · 🔒 holds its lock' : ''}`,
    );
  if (states.length > LIST_MAX) lines.push(`…and ${states.length - LIST_MAX} more`);
  const locks = Object.entries(options.locks ?? {}).map(
    ([service, holder]) =>
      `🔒 ${userText(service, 80, true)} locked by ${userText(holder.hotfixId, 60, true)} since ${t.when(holder.since)}`,
  );
  return [
    ...(options.title ? [`*${escapeMrkdwn(options.title)}*`] : []),
    ...lines,
    ...locks,
    ...(locks.length > 0 ? [`_Times in ${userText(options.timezone, 40, true)}._`] : []),
    ...(options.footer ? [options.footer] : []),
  ].join('\n');
};
