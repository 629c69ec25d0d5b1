import type { LockHolder } from '../../common/actions.ts';
import { holdsLock } from '../../../domain/hotfix/queries.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { TeamsCard } from './adaptive.ts';
import { card, container, text } from './adaptive.ts';
import { bold, plainText, userText } from './text.ts';
import { PHASE_EMOJI, PHASE_LABELS } from '../../common/labels.ts';
import { times } from '../../common/times.ts';

/** Hotfixes listed in one card; the rest are counted. */
const LIST_MAX = 40;

export interface HotfixListOptions {
  readonly title: string;
  readonly timezone: string;
  readonly now: Date;
  /** Deploy locks on the listed hotfixes' services, by service. */
  readonly locks?: Readonly<Record<string, LockHolder>>;
  /** Below the list: how to see one hotfix. */
  readonly footer?: string;
}

/**
 * `@hotfix list` and `@hotfix status` with several hotfixes: one line per hotfix (phase, issue, services, its
 * lock), then the services locked, by whom and since when (in the config's zone and relative to now). Plain
 * text in, escaped here.
 */
export const renderHotfixList = (states: readonly HotfixState[], options: HotfixListOptions): TeamsCard => {
  const t = times(options.timezone, options.now);
  const shown = states
    .slice(0, LIST_MAX)
    .map((s) =>
      text(
        `${PHASE_EMOJI[s.phase]} ${bold(userText(s.id, 60, true))} · ${userText(s.plan.issueId, 80, true)} · ${PHASE_LABELS[s.phase]} · ${userText(s.plan.services.join(', '), 200, true)}${holdsLock(s) ? ' · 🔒 holds its lock' : ''}`,
        { spacing: 'small' },
      ),
    );
  const hidden = states.length - shown.length;
  const locks = Object.entries(options.locks ?? {}).map(([service, holder]) =>
    text(
      `🔒 ${userText(service, 80, true)} locked by ${userText(holder.hotfixId, 60, true)} since ${t.when(holder.since)}`,
      { isSubtle: true, spacing: 'small' },
    ),
  );
  // Said once under the locks: their times are the config's wall clock, not the reader's.
  if (locks.length > 0)
    locks.push(
      text(`Times in ${userText(options.timezone, 40, true)}.`, { isSubtle: true, spacing: 'small' }),
    );
  return {
    card: card([
      text(bold(userText(options.title, 100, true)), { size: 'medium' }),
      ...shown,
      ...(hidden > 0 ? [text(`…and ${hidden} more`, { isSubtle: true })] : []),
      ...(locks.length > 0 ? [container(locks, { separator: true })] : []),
      ...(options.footer ? [text(userText(options.footer, 300), { isSubtle: true, size: 'small' })] : []),
    ]),
    summary: plainText(`${options.title}: ${states.map((s) => s.id).join(', ')}`, 300),
  };
};
