import type {
  AdaptiveCard,
  CardAction,
  ExecuteAction,
  SubmitAction,
} from '../../../../src/bot/teams/cards/adaptive.ts';
import { parseActionData } from '../../../../src/bot/teams/verbs.ts';
import type { ActionData } from '../../../../src/bot/teams/verbs.ts';

/** Every action of the card, wherever it sits (card actions, action sets, inside ShowCards), in order. */
export const actionsOf = (card: AdaptiveCard): CardAction[] => {
  const out: CardAction[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Action.')) out.push(o as unknown as CardAction);
      for (const [key, value] of Object.entries(o)) if (key !== 'fallback' && key !== 'data') walk(value);
    }
  };
  walk(card);
  return out;
};

/** The buttons that do something (Execute) or open a dialog (Submit), with their parsed data. */
export const buttons = (card: AdaptiveCard): { action: ExecuteAction | SubmitAction; data: ActionData }[] =>
  actionsOf(card)
    .filter((a): a is ExecuteAction | SubmitAction => a.type !== 'Action.ShowCard')
    .map((action) => {
      const data = parseActionData(action.data);
      if (!data) throw new Error(`unparseable data on ${action.title}: ${JSON.stringify(action.data)}`);
      return { action, data };
    });

export const byVerb = (card: AdaptiveCard, verb: ActionData['verb']) =>
  buttons(card).filter((b) => b.data.verb === verb);

/** Every TextBlock's text, in order. */
export const textsOf = (card: unknown): string[] => {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
};

/** What a person reads: the TextBlocks with CommonMark's backslash escapes and paragraph breaks resolved. */
export const readable = (card: unknown): string =>
  textsOf(card)
    .map((t) =>
      t
        .replace(/\\([!-/:-@[-`{-~])/g, '$1')
        .replace(/\n\n/g, '\n')
        .replace(/\u2060/g, ''),
    )
    .join('\n');
