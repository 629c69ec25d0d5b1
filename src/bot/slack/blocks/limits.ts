import type { AnyBlock, PlainTextElement } from '@slack/types';

/**
 * Block Kit limits (PLATFORM.md, from node-slack-sdk packages/types). Where the vendor is vague (option
 * value 75 or 150, the undocumented total of ~12,000 characters) the lower number is used.
 */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  actionId: 255,
  blockId: 255,
  choiceOptions: 10,
  selectOptions: 100,
  optionGroups: 100,
  overflowOptions: 5,
  optionText: 75,
  optionValue: 75,
  optionDescription: 75,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  inputValue: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  messageText: 40_000,
  /** `msg_blocks_too_long` (undocumented; bolt-js #2509, #2867): the text of all blocks together. */
  totalText: 12_000,
  markdownBlockText: 12_000,
  textObject: 3000,
} as const;

/**
 * What the renderers aim for, below `totalText`: Slack also counts some of the blocks' structure (bolt-js
 * #2867 was refused at 11,341 characters of text), so they budget every string in the blocks, ids included.
 */
export const RENDER_BUDGET = { messageStrings: 10_000, viewStrings: 24_000 } as const;

export interface Violation {
  /** Where: `blocks[3].elements[1].text`. */
  readonly path: string;
  /** Which limit: `button.text`, `blocks.count`… */
  readonly rule: string;
  readonly message: string;
}

export interface Surface {
  readonly kind: 'message' | 'modal' | 'home';
  readonly text?: string;
  readonly blocks: readonly AnyBlock[];
  readonly title?: PlainTextElement | string;
  readonly submit?: PlainTextElement | string;
  readonly close?: PlainTextElement | string;
  readonly private_metadata?: string;
  readonly callback_id?: string;
}

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const arr = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);

const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

/** Every text object's text, anywhere in the blocks. */
export const totalText = (blocks: readonly unknown[]): number => {
  let sum = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObj(value)) {
      if (typeof value.type === 'string' && TEXT_TYPES.has(value.type) && typeof value.text === 'string')
        sum += value.text.length;
      else if (value.type === 'markdown' && typeof value.text === 'string') sum += value.text.length;
      Object.entries(value).forEach(([k, v]) => {
        if (k !== 'text' || typeof v !== 'string') walk(v);
      });
    }
  };
  walk(blocks);
  return sum;
};

/** Every string in the blocks (texts, ids, values, urls): what the renderers budget against. */
export const totalStrings = (blocks: readonly unknown[]): number => {
  let sum = 0;
  const walk = (value: unknown): void => {
    if (typeof value === 'string') sum += value.length;
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isObj(value))
      Object.entries(value).forEach(([k, v]) => {
        if (k !== 'type') walk(v);
      });
  };
  walk(blocks);
  return sum;
};

const textOf = (value: PlainTextElement | string | undefined): string | undefined =>
  typeof value === 'string' ? value : value?.text;

/** Every Block Kit limit of PLATFORM.md that `surface` breaks; empty when Slack will take it. */
export const checkBlockKit = (surface: Surface): Violation[] => {
  const out: Violation[] = [];
  const add = (path: string, rule: string, message: string) => out.push({ path, rule, message });
  const maxLen = (path: string, rule: string, value: unknown, max: number, min = 0) => {
    if (typeof value !== 'string') return;
    if (value.length > max) add(path, rule, `${value.length} characters, max ${max}`);
    else if (value.length < min) add(path, rule, `${value.length} characters, min ${min}`);
  };

  const text = (path: string, rule: string, value: unknown, max: number, plainOnly = false) => {
    if (!isObj(value) || typeof value.text !== 'string' || typeof value.type !== 'string') {
      add(path, rule, 'expected a text object { type, text }');
      return;
    }
    if (!TEXT_TYPES.has(value.type) || (plainOnly && value.type !== 'plain_text'))
      add(path, rule, `text type ${value.type} not allowed here`);
    if (value.text.trim().length === 0) add(path, rule, 'text must not be empty');
    maxLen(path, rule, value.text, max);
  };

  const confirm = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (!isObj(value)) return add(path, 'confirm', 'expected an object');
    if (value.title !== undefined)
      text(`${path}.title`, 'confirm.title', value.title, LIMITS.confirmTitle, true);
    text(`${path}.text`, 'confirm.text', value.text, LIMITS.confirmText);
    if (value.confirm !== undefined)
      text(`${path}.confirm`, 'confirm.confirm', value.confirm, LIMITS.confirmButton, true);
    if (value.deny !== undefined)
      text(`${path}.deny`, 'confirm.deny', value.deny, LIMITS.confirmButton, true);
  };

  const option = (path: string, value: unknown, plainOnly: boolean) => {
    if (!isObj(value)) return add(path, 'option', 'expected an option object');
    text(`${path}.text`, 'option.text', value.text, LIMITS.optionText, plainOnly);
    if (typeof value.value !== 'string' && typeof value.url !== 'string')
      add(`${path}.value`, 'option.value', 'an option needs a value');
    maxLen(`${path}.value`, 'option.value', value.value, LIMITS.optionValue, 1);
    if (value.description !== undefined)
      text(`${path}.description`, 'option.description', value.description, LIMITS.optionDescription, true);
  };

  const options = (path: string, el: Obj, max: number, plainOnly: boolean, min = 1) => {
    const list = arr(el.options);
    const groups = arr(el.option_groups);
    const values = new Set<string>();
    if (list) {
      if (list.length > max) add(`${path}.options`, 'options.count', `${list.length} options, max ${max}`);
      if (list.length < min) add(`${path}.options`, 'options.count', `${list.length} options, min ${min}`);
      list.forEach((o, i) => {
        option(`${path}.options[${i}]`, o, plainOnly);
        if (isObj(o) && typeof o.value === 'string') {
          if (values.has(o.value))
            add(`${path}.options[${i}].value`, 'option.unique', `duplicate ${o.value}`);
          values.add(o.value);
        }
      });
    } else if (groups) {
      if (groups.length > LIMITS.optionGroups)
        add(`${path}.option_groups`, 'options.groups', `${groups.length} groups, max ${LIMITS.optionGroups}`);
      groups.forEach((g, gi) => {
        const gp = `${path}.option_groups[${gi}]`;
        if (!isObj(g)) return add(gp, 'options.groups', 'expected an option group');
        text(`${gp}.label`, 'option_group.label', g.label, LIMITS.optionText, true);
        const inner = arr(g.options) ?? [];
        if (inner.length > LIMITS.selectOptions || inner.length === 0)
          add(`${gp}.options`, 'options.count', `${inner.length} options, need 1–${LIMITS.selectOptions}`);
        inner.forEach((o, i) => {
          option(`${gp}.options[${i}]`, o, plainOnly);
          if (isObj(o) && typeof o.value === 'string') values.add(o.value);
        });
      });
    } else if (min > 0) add(`${path}.options`, 'options.count', 'no options');
    const initial = [...(arr(el.initial_options) ?? []), ...(el.initial_option ? [el.initial_option] : [])];
    initial.forEach((o, i) => {
      if (!isObj(o) || typeof o.value !== 'string' || !values.has(o.value))
        add(
          `${path}.initial_options[${i}]`,
          'options.initial',
          'an initial option must be one of the options',
        );
    });
  };

  const element = (path: string, el: unknown) => {
    if (!isObj(el)) return add(path, 'element', 'expected an element object');
    maxLen(`${path}.action_id`, 'action_id', el.action_id, LIMITS.actionId, 1);
    if (el.placeholder !== undefined)
      text(`${path}.placeholder`, 'placeholder', el.placeholder, LIMITS.placeholder, true);
    confirm(`${path}.confirm`, el.confirm);
    switch (el.type) {
      case 'button':
        text(`${path}.text`, 'button.text', el.text, LIMITS.buttonText, true);
        maxLen(`${path}.value`, 'button.value', el.value, LIMITS.buttonValue);
        maxLen(`${path}.url`, 'button.url', el.url, LIMITS.url);
        if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger')
          add(`${path}.style`, 'button.style', `unknown style ${String(el.style)}`);
        return;
      case 'checkboxes':
      case 'radio_buttons':
        return options(path, el, LIMITS.choiceOptions, false);
      case 'static_select':
      case 'multi_static_select':
        return options(path, el, LIMITS.selectOptions, true);
      case 'overflow':
        return options(path, el, LIMITS.overflowOptions, true);
      case 'plain_text_input': {
        const max = typeof el.max_length === 'number' ? el.max_length : LIMITS.inputValue;
        if (max > LIMITS.inputValue)
          add(`${path}.max_length`, 'input.max_length', `max ${LIMITS.inputValue}`);
        if (typeof el.min_length === 'number' && el.min_length > LIMITS.inputValue)
          add(`${path}.min_length`, 'input.min_length', `max ${LIMITS.inputValue}`);
        maxLen(
          `${path}.initial_value`,
          'input.initial_value',
          el.initial_value,
          Math.min(max, LIMITS.inputValue),
        );
        return;
      }
      case 'datetimepicker':
        if (
          el.initial_date_time !== undefined &&
          !(Number.isInteger(el.initial_date_time) && String(el.initial_date_time).length === 10)
        )
          add(`${path}.initial_date_time`, 'datetimepicker.initial', 'expected unix seconds (10 digits)');
        return;
      case 'datepicker':
        if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date)))
          add(`${path}.initial_date`, 'datepicker.initial', 'expected YYYY-MM-DD');
        return;
      case 'users_select':
      case 'multi_users_select':
      case 'conversations_select':
      case 'multi_conversations_select':
      case 'channels_select':
      case 'multi_channels_select':
      case 'external_select':
      case 'multi_external_select':
      case 'timepicker':
      case 'number_input':
      case 'email_text_input':
      case 'url_text_input':
      case 'rich_text_input':
      case 'image':
        return;
      default:
        add(`${path}.type`, 'element.type', `unknown element type ${String(el.type)}`);
    }
  };

  const block = (path: string, b: Obj) => {
    switch (b.type) {
      case 'section': {
        const fields = arr(b.fields);
        if (b.text === undefined && !fields) add(path, 'section.text', 'a section needs text or fields');
        if (b.text !== undefined) text(`${path}.text`, 'section.text', b.text, LIMITS.sectionText);
        if (fields) {
          if (fields.length > LIMITS.sectionFields || fields.length === 0)
            add(
              `${path}.fields`,
              'section.fields',
              `${fields.length} fields, need 1–${LIMITS.sectionFields}`,
            );
          fields.forEach((f, i) => text(`${path}.fields[${i}]`, 'section.field', f, LIMITS.sectionFieldText));
        }
        if (b.accessory !== undefined) element(`${path}.accessory`, b.accessory);
        return;
      }
      case 'header':
        return text(`${path}.text`, 'header.text', b.text, LIMITS.headerText, true);
      case 'context': {
        const els = arr(b.elements) ?? [];
        if (els.length > LIMITS.contextElements || els.length === 0)
          add(
            `${path}.elements`,
            'context.elements',
            `${els.length} elements, need 1–${LIMITS.contextElements}`,
          );
        els.forEach((e, i) => {
          if (isObj(e) && e.type === 'image') return;
          text(`${path}.elements[${i}]`, 'context.text', e, LIMITS.textObject);
        });
        return;
      }
      case 'actions': {
        const els = arr(b.elements) ?? [];
        if (els.length > LIMITS.actionsElements || els.length === 0)
          add(
            `${path}.elements`,
            'actions.elements',
            `${els.length} elements, need 1–${LIMITS.actionsElements}`,
          );
        const ids = new Set<string>();
        els.forEach((e, i) => {
          element(`${path}.elements[${i}]`, e);
          if (isObj(e) && typeof e.action_id === 'string') {
            if (ids.has(e.action_id))
              add(
                `${path}.elements[${i}].action_id`,
                'action_id.unique',
                `${e.action_id} repeats in this block`,
              );
            ids.add(e.action_id);
          }
        });
        return;
      }
      case 'input':
        if (surface.kind === 'message') add(path, 'input.surface', 'input blocks belong in modals and Home');
        text(`${path}.label`, 'input.label', b.label, LIMITS.inputLabel, true);
        if (b.hint !== undefined) text(`${path}.hint`, 'input.hint', b.hint, LIMITS.inputHint, true);
        return element(`${path}.element`, b.element);
      case 'markdown':
        return maxLen(`${path}.text`, 'markdown.text', b.text, LIMITS.markdownBlockText, 1);
      case 'divider':
      case 'image':
      case 'rich_text':
      case 'file':
      case 'video':
        return;
      default:
        add(`${path}.type`, 'block.type', `unknown block type ${String(b.type)}`);
    }
  };

  const maxBlocks = surface.kind === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (surface.blocks.length > maxBlocks)
    add('blocks', 'blocks.count', `${surface.blocks.length} blocks, max ${maxBlocks} in a ${surface.kind}`);
  const blockIds = new Set<string>();
  surface.blocks.forEach((b, i) => {
    const path = `blocks[${i}]`;
    if (!isObj(b)) return add(path, 'block', 'expected a block object');
    if (b.block_id !== undefined) {
      maxLen(`${path}.block_id`, 'block_id', b.block_id, LIMITS.blockId, 1);
      if (typeof b.block_id === 'string') {
        if (blockIds.has(b.block_id)) add(`${path}.block_id`, 'block_id.unique', `${b.block_id} repeats`);
        blockIds.add(b.block_id);
      }
    }
    block(path, b);
  });

  if (surface.kind === 'message') {
    maxLen('text', 'message.text', surface.text, LIMITS.messageText);
    if (surface.blocks.length === 0 && !surface.text?.trim()) add('text', 'message.text', 'an empty message');
    const total = totalText(surface.blocks);
    if (total > LIMITS.totalText)
      add('blocks', 'message.total_text', `${total} characters of text in blocks, max ~${LIMITS.totalText}`);
  } else {
    maxLen('private_metadata', 'view.private_metadata', surface.private_metadata, LIMITS.privateMetadata);
    maxLen('callback_id', 'view.callback_id', surface.callback_id, LIMITS.callbackId);
  }
  if (surface.kind === 'modal') {
    const title = textOf(surface.title);
    if (title === undefined) add('title', 'view.title', 'a modal needs a title');
    maxLen('title', 'view.title', title, LIMITS.viewTitle, 1);
    maxLen('submit', 'view.submit', textOf(surface.submit), LIMITS.viewSubmit, 1);
    maxLen('close', 'view.close', textOf(surface.close), LIMITS.viewClose, 1);
    if (surface.submit === undefined && surface.blocks.some((b) => isObj(b) && b.type === 'input'))
      add('submit', 'view.submit', 'a modal with inputs needs a submit button');
  }
  return out;
};

/** `checkBlockKit` for a view as passed to `views.open`/`views.publish`. */
export const checkView = (view: {
  readonly type: 'modal' | 'home';
  readonly blocks: readonly AnyBlock[];
  readonly title?: PlainTextElement;
  readonly submit?: PlainTextElement;
  readonly close?: PlainTextElement;
  readonly private_metadata?: string;
  readonly callback_id?: string;
}): Violation[] =>
  checkBlockKit({
    kind: view.type,
    blocks: view.blocks,
    ...(view.title ? { title: view.title } : {}),
    ...(view.submit ? { submit: view.submit } : {}),
    ...(view.close ? { close: view.close } : {}),
    ...(view.private_metadata === undefined ? {} : { private_metadata: view.private_metadata }),
    ...(view.callback_id === undefined ? {} : { callback_id: view.callback_id }),
  });
