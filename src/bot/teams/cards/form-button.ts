import type { ActionData } from '../verbs.ts';
import type { TeamsCard } from './adaptive.ts';
import { card, openForm, text } from './adaptive.ts';
import { plainText, userText } from './text.ts';

/**
 * A reply with one button that opens a dialog: a typed message cannot open one (only a card's `task/fetch`
 * can), so `@hotfix start`, `edit`, `rollback` without a trigger and `cancel` without a reason answer with
 * this card. `intro` is plain text.
 */
export const renderFormButton = (
  intro: string,
  button: string,
  data: Extract<ActionData, { verb: 'hotfix.open-form' }>,
): TeamsCard => ({
  card: card([text(userText(intro, 600))], [openForm(button, data)]),
  summary: plainText(intro, 300),
});
