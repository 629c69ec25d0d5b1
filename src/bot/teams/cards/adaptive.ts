import type { ActionData } from '../verbs.ts';
import { plainText } from './text.ts';

/** What Teams renders (TEAMS.md): Adaptive Cards up to 1.5. */
export const CARD_VERSION = '1.5';

/** Teams shows at most this many actions in one set (card `actions`, an `ActionSet`, a `ShowCard`'s card). */
export const MAX_ACTIONS = 6;

/**
 * A card's JSON, in UTF-8 bytes. Teams refuses a message above ~100 KB (413); the issue asks to keep under
 * 80 KB, and the activity around the card (ids, conversation, channel data) takes some of that.
 */
export const CARD_BUDGET_BYTES = 76_000;

/** Action titles: Teams cuts a long title anyway; a short one keeps the button row readable. */
export const TITLE_MAX = 60;

export type TextSize = 'small' | 'default' | 'medium' | 'large' | 'extraLarge';
export type TextColor = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';

export interface TextBlock {
  readonly type: 'TextBlock';
  /** Markdown (the CommonMark subset Adaptive Cards render): user text in it must be escaped. */
  readonly text: string;
  readonly wrap: true;
  readonly size?: TextSize;
  readonly weight?: 'lighter' | 'default' | 'bolder';
  readonly color?: TextColor;
  readonly isSubtle?: boolean;
  readonly fontType?: 'default' | 'monospace';
  readonly style?: 'default' | 'heading';
  readonly spacing?: 'none' | 'small' | 'default' | 'medium' | 'large';
  readonly separator?: boolean;
}

export interface Container {
  readonly type: 'Container';
  readonly items: readonly CardElement[];
  readonly separator?: boolean;
  readonly spacing?: 'none' | 'small' | 'default' | 'medium' | 'large';
  readonly style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
}

export interface Column {
  readonly type: 'Column';
  readonly width: 'auto' | 'stretch';
  readonly items: readonly CardElement[];
  readonly verticalContentAlignment?: 'top' | 'center' | 'bottom';
}

export interface ColumnSet {
  readonly type: 'ColumnSet';
  readonly columns: readonly Column[];
  readonly spacing?: 'none' | 'small' | 'default' | 'medium' | 'large';
  readonly separator?: boolean;
}

export interface ActionSet {
  readonly type: 'ActionSet';
  readonly actions: readonly CardAction[];
}

export interface TableCell {
  readonly type: 'TableCell';
  readonly items: readonly CardElement[];
}

export interface Table {
  readonly type: 'Table';
  readonly columns: readonly { readonly width: number }[];
  readonly rows: readonly { readonly type: 'TableRow'; readonly cells: readonly TableCell[] }[];
  readonly firstRowAsHeader?: boolean;
  readonly showGridLines?: boolean;
}

/** Fields every input has: its id (the key of its value in a submission), its label, whether it is required. */
interface InputBase {
  readonly id: string;
  readonly label: string;
  readonly isRequired?: boolean;
  /** What the client shows under a required input left empty, before anything is sent. */
  readonly errorMessage?: string;
  readonly value?: string;
}

export interface InputText extends InputBase {
  readonly type: 'Input.Text';
  readonly placeholder?: string;
  readonly maxLength?: number;
  readonly isMultiline?: boolean;
}

export interface InputChoiceSet extends InputBase {
  readonly type: 'Input.ChoiceSet';
  readonly placeholder?: string;
  readonly choices: readonly { readonly title: string; readonly value: string }[];
  readonly style?: 'compact' | 'expanded';
  /** The value is then the picked values joined by commas. */
  readonly isMultiSelect?: boolean;
}

export interface InputDate extends InputBase {
  readonly type: 'Input.Date';
}

export interface InputTime extends InputBase {
  readonly type: 'Input.Time';
}

export type CardInput = InputText | InputChoiceSet | InputDate | InputTime;

export type CardElement = TextBlock | Container | ColumnSet | ActionSet | Table | CardInput;

export interface SubmitAction {
  readonly type: 'Action.Submit';
  readonly title: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ExecuteAction {
  readonly type: 'Action.Execute';
  readonly title: string;
  readonly verb: string;
  readonly data: ActionData;
  /** Clients without Universal Actions send the same data as a message activity's `value`. */
  readonly fallback: SubmitAction;
}

export interface ShowCardAction {
  readonly type: 'Action.ShowCard';
  readonly title: string;
  readonly card: AdaptiveCard;
}

export type CardAction = ExecuteAction | SubmitAction | ShowCardAction;

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly version?: typeof CARD_VERSION;
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardAction[];
  /** Teams' host extension: the card takes the message's full width; `<at>` mentions in its text. */
  readonly msteams?: { readonly width: 'Full'; readonly entities?: readonly MentionEntity[] };
}

/** A mention in a card: Teams notifies `mentioned` and shows `text` (an `<at>Name</at>` in a TextBlock). */
export interface MentionEntity {
  readonly type: 'mention';
  readonly text: string;
  readonly mentioned: { readonly id: string; readonly name: string };
}

/** What a renderer hands the Teams transport: the card, and plain text for notifications and previews. */
export interface TeamsCard {
  readonly card: AdaptiveCard;
  /** Plain text (the activity's `summary`): what a notification or the chat list shows. */
  readonly summary: string;
}

type TextOptions = Omit<TextBlock, 'type' | 'text' | 'wrap'>;

/** A wrapping TextBlock; `text` is Markdown whose user text is already escaped. */
export const text = (markdown: string, options: TextOptions = {}): TextBlock => ({
  type: 'TextBlock',
  text: markdown === '' ? '—' : markdown,
  wrap: true,
  ...options,
});

export const container = (
  items: readonly CardElement[],
  options: Omit<Container, 'type' | 'items'> = {},
): Container => ({ type: 'Container', items, ...options });

/** A button that does one thing: `Action.Execute` with the verb in its data, and its `Action.Submit` fallback. */
export const execute = (title: string, data: ActionData): ExecuteAction => {
  const shown = plainText(title, TITLE_MAX);
  return {
    type: 'Action.Execute',
    title: shown,
    verb: data.verb,
    data,
    fallback: { type: 'Action.Submit', title: shown, data },
  };
};

/** A button that opens a dialog: Teams sends `task/fetch` with this data (`form` says which dialog). */
export const openForm = (
  title: string,
  data: Extract<ActionData, { verb: 'hotfix.open-form' }>,
): SubmitAction => ({
  type: 'Action.Submit',
  title: plainText(title, TITLE_MAX),
  data: { ...data, msteams: { type: 'task/fetch' } },
});

/**
 * A button that shows more below it: Teams has no confirmation dialog on a button, so a destructive action
 * sits behind one of these, and actions beyond the six Teams shows go into a "More…" one.
 */
export const showCard = (title: string, body: readonly CardElement[], actions: readonly CardAction[]) =>
  ({
    type: 'Action.ShowCard',
    title: plainText(title, TITLE_MAX),
    card: { type: 'AdaptiveCard', body, actions },
  }) satisfies ShowCardAction;

/**
 * At most `MAX_ACTIONS` actions: when there are more, the first five stay and the rest go into a "More…"
 * ShowCard (itself split again if it would hold more than six).
 */
export const fitActions = (actions: readonly CardAction[]): CardAction[] => {
  if (actions.length <= MAX_ACTIONS) return [...actions];
  const kept = actions.slice(0, MAX_ACTIONS - 1);
  return [...kept, showCard('More…', [], fitActions(actions.slice(MAX_ACTIONS - 1)))];
};

/** A row of buttons in the card's body (an `ActionSet`), kept within what Teams shows. */
export const actionSet = (actions: readonly CardAction[]): ActionSet => ({
  type: 'ActionSet',
  actions: fitActions(actions),
});

/** A full-width card of version 1.5 with these elements and actions (at most six shown at the bottom). */
export const card = (body: readonly CardElement[], actions: readonly CardAction[] = []): AdaptiveCard => ({
  type: 'AdaptiveCard',
  version: CARD_VERSION,
  body,
  ...(actions.length > 0 ? { actions: fitActions(actions) } : {}),
  msteams: { width: 'Full' },
});

/** The card's JSON size in UTF-8 bytes: what counts against Teams' message size limit. */
const utf8 = new TextEncoder();

export const cardBytes = (value: AdaptiveCard): number => utf8.encode(JSON.stringify(value)).length;
