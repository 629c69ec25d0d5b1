import { createHash } from 'node:crypto';
import type { SlackBlock } from '../types.ts';

/** Thrown for a delivery Slack could not have made (unknown user, no such element…); the message says why. */
export class SlackDeliveryError extends Error {
  override readonly name = 'SlackDeliveryError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An interactive element found in a surface's blocks, with the ids Slack reports for it. */
export interface FoundElement {
  readonly element: Json;
  readonly type: string;
  readonly blockId: string;
  readonly actionId: string;
  readonly blockType: string;
  /** Input blocks send block_actions only with `dispatch_action: true`. */
  readonly dispatches: boolean;
}

/**
 * Slack gives a block or element without an id a generated one that stays the same for that message or view;
 * ours is derived from the surface and position, so it is stable too.
 */
const generatedId = (seed: string) => createHash('sha256').update(seed).digest('base64url').slice(0, 5);

/** Every interactive element of `blocks` (actions elements, section accessories, input elements). */
export const elementsOf = (blocks: readonly SlackBlock[], surface: string): FoundElement[] =>
  blocks.flatMap((raw, i) => {
    const block = raw as unknown as Json;
    const blockId = typeof block.block_id === 'string' ? block.block_id : generatedId(`${surface}:${i}`);
    const candidates: unknown[] =
      block.type === 'actions' && Array.isArray(block.elements)
        ? block.elements
        : block.type === 'section'
          ? [block.accessory]
          : block.type === 'input'
            ? [block.element]
            : [];
    return candidates.flatMap((element, j) =>
      isObject(element) && typeof element.type === 'string'
        ? [
            {
              element,
              type: element.type,
              blockId,
              actionId:
                typeof element.action_id === 'string'
                  ? element.action_id
                  : generatedId(`${surface}:${i}:${j}`),
              blockType: String(block.type),
              dispatches: block.type !== 'input' || block.dispatch_action === true,
            },
          ]
        : [],
    );
  });

/** What a user's choice is made of for one element kind. */
type Choice =
  'text' | 'option' | 'options' | 'user' | 'users' | 'conversation' | 'conversations' | 'date' | 'timestamp';

interface Kind {
  /** The field carrying the element's value in `actions[]` and `state.values`. */
  readonly key: string;
  /** The element field holding its initial value. */
  readonly initial: string;
  readonly empty: null | readonly never[];
  readonly choice: Choice;
  /** Whether the value is kept in `state.values` (an overflow menu's is not). */
  readonly stateful: boolean;
  readonly pattern?: RegExp;
}

const kind = (key: string, choice: Choice, extra: Partial<Kind> = {}): Kind => ({
  key,
  initial: key.replace(/^selected_/, 'initial_'),
  empty: choice === 'options' || choice === 'users' || choice === 'conversations' ? [] : null,
  choice,
  stateful: true,
  ...extra,
});

const text = kind('value', 'text', { initial: 'initial_value' });

/** The element types a person can act on, by the value they carry (Slack's block_actions payload). */
const KINDS: Readonly<Record<string, Kind>> = {
  plain_text_input: text,
  email_text_input: text,
  url_text_input: text,
  number_input: text,
  checkboxes: kind('selected_options', 'options'),
  radio_buttons: kind('selected_option', 'option'),
  static_select: kind('selected_option', 'option'),
  multi_static_select: kind('selected_options', 'options'),
  overflow: kind('selected_option', 'option', { stateful: false }),
  users_select: kind('selected_user', 'user'),
  multi_users_select: kind('selected_users', 'users'),
  conversations_select: kind('selected_conversation', 'conversation'),
  multi_conversations_select: kind('selected_conversations', 'conversations'),
  channels_select: kind('selected_channel', 'conversation'),
  multi_channels_select: kind('selected_channels', 'conversations'),
  datepicker: kind('selected_date', 'date', { pattern: /^\d{4}-\d{2}-\d{2}$/ }),
  timepicker: kind('selected_time', 'date', { pattern: /^\d{2}:\d{2}$/ }),
  // Slack reports a date-time as Unix seconds.
  datetimepicker: kind('selected_date_time', 'timestamp'),
};

export const SUPPORTED_ELEMENTS = ['button', ...Object.keys(KINDS)] as const;

const optionsOf = (element: Json): Json[] => {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((group: unknown) =>
        isObject(group) && Array.isArray(group.options) ? group.options : [],
      )
    : [];
  return [...direct, ...grouped].filter(isObject);
};

/** How the stand-in checks people and channels a choice names. */
export interface Directory {
  isUser(id: string): boolean;
  /** A channel id for an id or name, or undefined. */
  channelId(ref: string): string | undefined;
}

const describe = (found: FoundElement) => `${found.type} '${found.actionId}' in block '${found.blockId}'`;

const list = (choice: unknown): string[] | undefined => {
  if (typeof choice === 'string') return [choice];
  if (Array.isArray(choice) && choice.every((item) => typeof item === 'string')) return choice;
  return undefined;
};

/**
 * The value Slack reports for `found` once the person chose `choice`: option values mapped to the element's
 * option objects, users and channels checked, dates checked for shape. Option objects (Slack's own shape) are
 * accepted as they are, when the element has them.
 */
export const chosenValue = (found: FoundElement, choice: unknown, directory: Directory): unknown => {
  const spec = KINDS[found.type];
  if (spec === undefined)
    throw new SlackDeliveryError(
      `${describe(found)}: the stand-in cannot act on ${found.type} elements (supported: ${SUPPORTED_ELEMENTS.join(', ')})`,
    );
  const fail = (what: string): never => {
    throw new SlackDeliveryError(`${describe(found)} takes ${what}; got ${JSON.stringify(choice)}`);
  };
  const single = (value: unknown) => (Array.isArray(value) ? value : [value]);
  switch (spec.choice) {
    case 'text':
      if (choice === null) return null;
      return typeof choice === 'string' ? choice : fail('a string');
    case 'date':
      if (choice === null) return null;
      return typeof choice === 'string' && spec.pattern?.test(choice) === true
        ? choice
        : fail(spec.pattern === undefined ? 'a string' : `a value matching ${String(spec.pattern)}`);
    case 'timestamp': {
      if (choice === null) return null;
      const seconds = typeof choice === 'string' && /^\d{1,12}$/.test(choice) ? Number(choice) : choice;
      return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0
        ? seconds
        : fail('Unix seconds (a whole number)');
    }
    case 'option':
    case 'options': {
      if (choice === null && spec.choice === 'option') return null;
      const options = optionsOf(found.element);
      const picked = single(choice).map((item: unknown) => {
        const value = isObject(item) ? item.value : item;
        const option = options.find((o) => o.value === value);
        if (option === undefined)
          throw new SlackDeliveryError(
            `${describe(found)} has no option with value ${JSON.stringify(value)} (its options: ${options.map((o) => JSON.stringify(o.value)).join(', ')})`,
          );
        return option;
      });
      if (spec.choice === 'options') return picked;
      return picked.length === 1 ? picked[0] : fail('exactly one option value');
    }
    case 'user':
    case 'users': {
      if (choice === null && spec.choice === 'user') return null;
      const users = list(choice) ?? fail(spec.choice === 'user' ? 'a user id' : 'user ids');
      for (const user of users)
        if (!directory.isUser(user)) throw new SlackDeliveryError(`${describe(found)}: unknown user ${user}`);
      if (spec.choice === 'users') return users;
      return users.length === 1 ? users[0] : fail('exactly one user id');
    }
    case 'conversation':
    case 'conversations': {
      if (choice === null && spec.choice === 'conversation') return null;
      const refs = list(choice) ?? fail('channel ids');
      const ids = refs.map((ref) => {
        const id = directory.channelId(ref);
        if (id === undefined) throw new SlackDeliveryError(`${describe(found)}: unknown channel ${ref}`);
        return id;
      });
      if (spec.choice === 'conversations') return ids;
      return ids.length === 1 ? ids[0] : fail('exactly one channel');
    }
  }
};

/** The `actions[]` entry of a block_actions payload (without `action_ts`). */
export const actionOf = (found: FoundElement, choice: unknown, directory: Directory): Json => {
  const base = { type: found.type, action_id: found.actionId, block_id: found.blockId };
  if (found.type === 'button') {
    if (choice !== undefined)
      throw new SlackDeliveryError(`${describe(found)} is a button: it sends its value, not a selection`);
    const { text: label, value, style } = found.element;
    return {
      ...base,
      text: label,
      ...(value === undefined ? {} : { value }),
      ...(style === undefined ? {} : { style }),
    };
  }
  const spec = KINDS[found.type];
  if (choice === undefined && spec !== undefined)
    throw new SlackDeliveryError(`${describe(found)} needs \`selected\`: what the person chose`);
  return { ...base, [spec?.key ?? 'value']: chosenValue(found, choice, directory) };
};

/** The `state.values` entry for `found` holding `value` (the element's value field). */
export const stateEntry = (found: FoundElement, value: unknown): Json => ({
  type: found.type,
  [KINDS[found.type]?.key ?? 'value']: value,
});

/** Whether Slack keeps this element's value in `state.values`. */
export const isStateful = (found: FoundElement) => KINDS[found.type]?.stateful === true;

/** The value field of an action or state entry for `found` (`selected_options`, `value`…). */
export const valueKey = (found: FoundElement) => KINDS[found.type]?.key ?? 'value';

/** `state.values` as a surface shows it before anyone touches it: initial values, else empty ones. */
export const initialState = (elements: readonly FoundElement[]): Record<string, Record<string, Json>> => {
  const values: Record<string, Record<string, Json>> = {};
  for (const found of elements) {
    const spec = KINDS[found.type];
    if (spec === undefined || !spec.stateful) continue;
    const initial = found.element[spec.initial];
    (values[found.blockId] ??= {})[found.actionId] = stateEntry(found, initial ?? spec.empty);
  }
  return values;
};

/** `base` with `over` merged in, block by block. */
export const mergeState = (
  base: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  over: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): Record<string, Record<string, unknown>> => {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [blockId, actions] of Object.entries(base)) merged[blockId] = { ...actions };
  for (const [blockId, actions] of Object.entries(over)) merged[blockId] = { ...merged[blockId], ...actions };
  return merged;
};
