import type { AdaptiveCard, TeamsCard } from './adaptive.ts';
import { card, container, text } from './adaptive.ts';
import { plainText, userText } from './text.ts';

/** The longest notice shown: a domain refusal is a sentence or two. */
const NOTICE_MAX = 600;

/**
 * `hotfixCard` with `notice` on top, in an attention box: what the person who clicked sees when their click
 * was refused or repeated (an invoke's answer card replaces the card for them alone). The notice is plain
 * text, escaped here.
 */
export const withNotice = (hotfixCard: AdaptiveCard, notice: string): AdaptiveCard => ({
  ...hotfixCard,
  body: [
    container([text(userText(notice, NOTICE_MAX), { weight: 'bolder', color: 'attention' })], {
      style: 'attention',
    }),
    ...hotfixCard.body,
  ],
});

/** A card that says only `notice`: the answer when there is no card to show it on. */
export const renderNotice = (notice: string): TeamsCard => ({
  card: card([text(userText(notice, NOTICE_MAX))]),
  summary: plainText(notice, 300),
});
