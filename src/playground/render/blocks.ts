import type { Html } from './html.ts';
import { attrs, joinHtml, markup } from './html.ts';
import type { Names } from './mrkdwn.ts';
import { mrkdwnToHtml, plainToHtml } from './mrkdwn.ts';

/** A person a users_select offers. */
export interface Pickable {
  readonly id: string;
  readonly name: string;
}

/** What the renderer needs besides the blocks. */
export interface BlockContext extends Names {
  /** The workspace's people: the only ones users_select and multi_users_select offer. */
  readonly people: readonly Pickable[];
  /**
   * Where the blocks are. In a `modal`, elements of input blocks are form fields sent with Submit; everything
   * else interactive (buttons, section accessories, elements of actions blocks) sends a block action at once.
   */
  readonly surface: 'message' | 'modal' | 'home';
  /** Field errors by block id, shown under the field (modals after `response_action: errors`). */
  readonly errors?: Readonly<Record<string, string>>;
  /** Makes radio group names unique on the page (a view id or a message ts). */
  readonly scope: string;
  /**
   * A view's `state.values` (block id → action id → entry): what the person entered, shown instead of the
   * element's initial value, so a modal answered with errors keeps what was typed.
   */
  readonly values?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Json | undefined => (isObject(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** A text object (plain_text or mrkdwn) as HTML. */
export const textObject = (value: unknown, ctx: Names): Html => {
  const text = obj(value);
  if (text === undefined) return markup``;
  const content = str(text.text) ?? '';
  return text.type === 'mrkdwn' ? mrkdwnToHtml(content, ctx) : plainToHtml(content, text.emoji !== false);
};

/** A text object as plain words (option labels inside <option>, which cannot hold markup). */
const textPlain = (value: unknown): string => str(obj(value)?.text) ?? '';

interface Option {
  readonly text: string;
  readonly value: string;
  readonly description?: string;
}

const optionOf = (value: Json): Option => ({
  text: textPlain(value.text),
  value: str(value.value) ?? '',
  ...(obj(value.description) ? { description: textPlain(value.description) } : {}),
});

/** The options of a select (flat, or in groups), checkboxes, radio buttons or an overflow menu. */
export const optionsOf = (element: Json): { group?: string; options: Option[] }[] => {
  const groups = list(element.option_groups);
  if (groups.length > 0)
    return groups.map((g) => ({ group: textPlain(g.label), options: list(g.options).map(optionOf) }));
  return [{ options: list(element.options).map(optionOf) }];
};

const optionValues = (one: unknown, many: unknown): string[] => {
  const single = obj(one);
  if (single) return [str(single.value) ?? ''];
  return list(many).map((o) => str(o.value) ?? '');
};

/** The element's state entry, when the view holds one. */
const entryOf = (element: Json, where: Where, ctx: BlockContext): Json | undefined =>
  obj(ctx.values?.[where.blockId]?.[str(element.action_id) ?? '']);

/** What an element shows now: its entered state when there is one, else its initial value. */
const current = (element: Json, where: Where, ctx: BlockContext, key: string, initial: string): unknown => {
  const entry = entryOf(element, where, ctx);
  return entry !== undefined && key in entry ? entry[key] : element[initial];
};

const selectedOptions = (element: Json, where: Where, ctx: BlockContext): string[] => {
  const entry = entryOf(element, where, ctx);
  if (entry !== undefined && ('selected_option' in entry || 'selected_options' in entry))
    return optionValues(entry.selected_option, entry.selected_options);
  return optionValues(element.initial_option, element.initial_options);
};

/** Unix seconds → `2025-03-14T09:05`, the value of a datetime-local input (UTC, as the page says). */
const dateTimeLocal = (seconds: unknown): string | undefined =>
  typeof seconds === 'number' && Number.isFinite(seconds)
    ? new Date(seconds * 1000).toISOString().slice(0, 16)
    : undefined;

interface Where {
  readonly blockId: string;
  /** Inside an input block of a modal: a form field, sent with Submit. */
  readonly field: boolean;
  readonly required: boolean;
}

/** Data attributes shared by every element: which element it is, and how the page's script treats it. */
const elementAttrs = (element: Json, where: Where, kind: string) =>
  attrs({
    'data-action-id': str(element.action_id) ?? '',
    'data-block-id': where.blockId,
    'data-type': str(element.type) ?? '',
    [where.field ? 'data-field' : 'data-act']: kind,
  });

/** The dialog a button asks for first; the page's script shows it with textContent, never as markup. */
const confirmAttrs = (element: Json) => {
  const confirm = obj(element.confirm);
  if (confirm === undefined) return attrs({});
  return attrs({
    'data-confirm-title': textPlain(confirm.title),
    'data-confirm-text': textPlain(confirm.text),
    'data-confirm-ok': textPlain(confirm.confirm) || 'Confirm',
    'data-confirm-deny': textPlain(confirm.deny) || 'Cancel',
    'data-confirm-style': str(confirm.style),
  });
};

const selectOptions = (groups: { group?: string; options: Option[] }[], selected: readonly string[]) =>
  groups.map(({ group, options }) => {
    const items = options.map(
      (o) =>
        markup`<option${attrs({ value: o.value, selected: selected.includes(o.value) })}>${o.text}</option>`,
    );
    return group === undefined ? items : markup`<optgroup${attrs({ label: group })}>${items}</optgroup>`;
  });

const placeholderOption = (element: Json, fallback: string, selected: boolean) =>
  markup`<option${attrs({ value: '', selected })}>${textPlain(element.placeholder) || fallback}</option>`;

/**
 * A multi-select as Slack's client draws it: the picked options as chips, each with a × button that removes
 * it, then a dropdown of the options not picked, where choosing one adds its chip (no list box to Ctrl-click).
 * The chips are the value, in the order picked; the page's script keeps the dropdown's options in step
 * (a picked one is hidden). A required one with no chip makes its dropdown required, so the browser refuses
 * the submit as it does for an empty select.
 */
const multiSelect = (
  element: Json,
  groups: { group?: string; options: Option[] }[],
  selected: readonly string[],
  how: { required: boolean; data: Html; fallback: string },
): Html => {
  const labels = new Map(groups.flatMap(({ options }) => options.map((o) => [o.value, o.text] as const)));
  // A value no option offers (a person not in the workspace) cannot be shown, so it is not sent either.
  const picked = [...new Set(selected)].filter((value) => labels.has(value));
  const chips = picked.map((value) => {
    const label = labels.get(value) ?? value;
    return markup`<li class="bk-chip"${attrs({ 'data-value': value })}><span>${label}</span><button${attrs({ type: 'button', class: 'bk-chip-remove', 'aria-label': `Remove ${label}` })}>×</button></li>`;
  });
  const placeholder = textPlain(element.placeholder) || how.fallback;
  const max = typeof element.max_selected_items === 'number' ? element.max_selected_items : undefined;
  const options = groups.map(({ group, options: items }) => {
    const shown = items.map((o) => {
      const taken = picked.includes(o.value);
      return markup`<option${attrs({ value: o.value, hidden: taken, disabled: taken })}>${o.text}</option>`;
    });
    return group === undefined ? shown : markup`<optgroup${attrs({ label: group })}>${shown}</optgroup>`;
  });
  const add = attrs({
    class: 'bk-select bk-multi-add',
    'aria-label': placeholder,
    required: how.required && picked.length === 0,
    disabled: max !== undefined && picked.length >= max,
  });
  return markup`<div${attrs({ class: 'bk-multi', 'data-required': how.required, 'data-max': max })}${how.data}><ul class="bk-chips">${chips}</ul><select${add}><option value="" selected>${placeholder}</option>${options}</select></div>`;
};

const INPUT_TYPES: Readonly<Record<string, string>> = {
  email_text_input: 'email',
  url_text_input: 'url',
  number_input: 'number',
};

const peopleOptions = (ctx: BlockContext) => [
  { options: ctx.people.map((p) => ({ text: p.name, value: p.id })) },
];

/** One interactive or display element (a section accessory, an actions element, an input's element). */
export const renderElement = (element: Json, where: Where, ctx: BlockContext): Html => {
  const type = str(element.type) ?? '';
  const required = where.field && where.required;
  const data = elementAttrs(element, where, kindOf(type));
  switch (type) {
    case 'button': {
      const style = str(element.style);
      const url = str(element.url);
      return markup`<button${attrs({
        type: 'button',
        class: `bk-button${style ? ` bk-${style}` : ''}`,
        'data-url': url !== undefined && /^https?:/i.test(url) ? url : undefined,
      })}${data}${confirmAttrs(element)}>${textObject(element.text, ctx)}</button>`;
    }
    case 'static_select':
    case 'external_select': {
      const selected = selectedOptions(element, where, ctx);
      return markup`<select class="bk-select"${attrs({ required })}${data}>${placeholderOption(element, 'Select an item', selected.length === 0)}${selectOptions(optionsOf(element), selected)}</select>`;
    }
    case 'multi_static_select':
    case 'multi_external_select':
      return multiSelect(element, optionsOf(element), selectedOptions(element, where, ctx), {
        required,
        data,
        fallback: 'Select options',
      });
    case 'users_select': {
      const user = str(current(element, where, ctx, 'selected_user', 'initial_user'));
      const selected = user === undefined ? [] : [user];
      return markup`<select class="bk-select"${attrs({ required })}${data}>${placeholderOption(element, 'Select a person', selected.length === 0)}${selectOptions(peopleOptions(ctx), selected)}</select>`;
    }
    case 'multi_users_select':
      return multiSelect(
        element,
        peopleOptions(ctx),
        strings(current(element, where, ctx, 'selected_users', 'initial_users')),
        { required, data, fallback: 'Select people' },
      );
    case 'overflow':
      return markup`<select class="bk-overflow" title="More actions"${data}><option value="" selected>⋯</option>${selectOptions(optionsOf(element), [])}</select>`;
    case 'checkboxes':
    case 'radio_buttons': {
      const input = type === 'checkboxes' ? 'checkbox' : 'radio';
      const selected = selectedOptions(element, where, ctx);
      const name = `${ctx.scope}:${where.blockId}:${str(element.action_id) ?? ''}`;
      const options = list(element.options);
      const items = options.map((raw) => {
        const o = optionOf(raw);
        return markup`<label class="bk-option"><input${attrs({ type: input, name, value: o.value, checked: selected.includes(o.value) })}> <span>${textObject(raw.text, ctx)}${o.description === undefined ? '' : markup`<small class="bk-description">${o.description}</small>`}</span></label>`;
      });
      return markup`<fieldset class="bk-${input}es"${data}>${items}</fieldset>`;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const initial = str(current(element, where, ctx, 'value', 'initial_value'));
      const common = attrs({
        placeholder: textPlain(element.placeholder) || undefined,
        maxlength: typeof element.max_length === 'number' ? element.max_length : undefined,
        minlength: typeof element.min_length === 'number' ? element.min_length : undefined,
        required,
      });
      if (element.multiline === true)
        return markup`<textarea class="bk-text" rows="3"${common}${data}>${initial ?? ''}</textarea>`;
      return markup`<input class="bk-text"${attrs({ type: INPUT_TYPES[type] ?? 'text', value: initial })}${common}${data}>`;
    }
    case 'datepicker':
      return markup`<input class="bk-date"${attrs({ type: 'date', value: str(current(element, where, ctx, 'selected_date', 'initial_date')), required })}${data}>`;
    case 'timepicker':
      return markup`<input class="bk-time"${attrs({ type: 'time', value: str(current(element, where, ctx, 'selected_time', 'initial_time')), required })}${data}>`;
    case 'datetimepicker':
      return markup`<span class="bk-datetime"><input${attrs({ type: 'datetime-local', value: dateTimeLocal(current(element, where, ctx, 'selected_date_time', 'initial_date_time')), required })}${data}> <small>UTC</small></span>`;
    case 'image':
      return markup`<span class="bk-image" role="img"${attrs({ title: str(element.image_url) })}>🖼 ${str(element.alt_text) ?? 'image'}</span>`;
    case 'plain_text':
    case 'mrkdwn':
      return markup`<span class="bk-context-text">${textObject(element, ctx)}</span>`;
    default:
      return markup`<span class="bk-unsupported">[${type || 'element'}]</span>`;
  }
};

/**
 * How the page's script reads an element (`data-act` when it acts at once, `data-field` in a form): what a
 * click or a change sends, or how a submitted value is collected.
 */
const kindOf = (type: string): string => {
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'overflow':
      return 'select';
    case 'multi_static_select':
    case 'multi_external_select':
    case 'multi_users_select':
      return 'multi_select';
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return 'text';
    case 'datepicker':
      return 'date';
    case 'timepicker':
      return 'time';
    case 'datetimepicker':
      return 'datetime';
    default:
      return type;
  }
};

const blockIdOf = (block: Json, index: number): string => str(block.block_id) ?? `block-${index}`;

const errorFor = (blockId: string, ctx: BlockContext) => {
  const message = ctx.errors?.[blockId];
  return message === undefined
    ? markup``
    : markup`<div class="bk-error" role="alert" data-error-for="${blockId}">${message}</div>`;
};

/** Rich text, flattened: its text and links, with list items on their own lines. */
const richText = (elements: unknown, ctx: BlockContext): Html =>
  joinHtml(
    list(elements).map((element) => {
      switch (element.type) {
        case 'text': {
          const style = obj(element.style) ?? {};
          let out = markup`${str(element.text) ?? ''}`;
          if (style.code === true) out = markup`<code>${out}</code>`;
          if (style.bold === true) out = markup`<b>${out}</b>`;
          if (style.italic === true) out = markup`<i>${out}</i>`;
          if (style.strike === true) out = markup`<s>${out}</s>`;
          return out;
        }
        case 'link': {
          const url = str(element.url) ?? '';
          return mrkdwnToHtml(`<${url}|${str(element.text) ?? url}>`, ctx);
        }
        case 'user':
          return mrkdwnToHtml(`<@${str(element.user_id) ?? ''}>`, ctx);
        case 'channel':
          return mrkdwnToHtml(`<#${str(element.channel_id) ?? ''}>`, ctx);
        case 'emoji':
          return mrkdwnToHtml(`:${str(element.name) ?? ''}:`, ctx);
        case 'rich_text_section':
          return markup`<div>${richText(element.elements, ctx)}</div>`;
        case 'rich_text_list':
          return markup`<ul>${list(element.elements).map((item) => markup`<li>${richText(item.elements, ctx)}</li>`)}</ul>`;
        case 'rich_text_quote':
          return markup`<blockquote>${richText(element.elements, ctx)}</blockquote>`;
        case 'rich_text_preformatted':
          return markup`<pre>${richText(element.elements, ctx)}</pre>`;
        default:
          return markup``;
      }
    }),
  );

/** One block as HTML. */
export const renderBlock = (block: Json, index: number, ctx: BlockContext): Html => {
  const type = str(block.type) ?? '';
  const blockId = blockIdOf(block, index);
  const wrap = (body: Html) =>
    markup`<div${attrs({ class: `bk-block bk-${type}`, 'data-block': blockId })}>${body}</div>`;
  const where: Where = { blockId, field: false, required: false };
  switch (type) {
    case 'section': {
      const fields = list(block.fields);
      const accessory = obj(block.accessory);
      const text =
        block.text === undefined
          ? ''
          : markup`<div class="bk-text-body">${textObject(block.text, ctx)}</div>`;
      const grid =
        fields.length === 0
          ? ''
          : markup`<div class="bk-fields">${fields.map((f) => markup`<div class="bk-field">${textObject(f, ctx)}</div>`)}</div>`;
      const side =
        accessory === undefined
          ? ''
          : markup`<div class="bk-accessory">${renderElement(accessory, where, ctx)}</div>`;
      return wrap(markup`<div class="bk-section-body">${text}${grid}</div>${side}`);
    }
    case 'header':
      return wrap(markup`<h3>${textObject(block.text, ctx)}</h3>`);
    case 'divider':
      return wrap(markup`<hr>`);
    case 'context':
    case 'actions':
      return wrap(joinHtml(list(block.elements).map((e) => renderElement(e, where, ctx))));
    case 'image': {
      const caption =
        block.title === undefined ? '' : markup`<figcaption>${textObject(block.title, ctx)}</figcaption>`;
      return wrap(
        markup`<figure>${caption}<span class="bk-image" role="img"${attrs({ title: str(block.image_url) })}>🖼 ${str(block.alt_text) ?? 'image'}</span></figure>`,
      );
    }
    case 'input': {
      const element = obj(block.element) ?? {};
      // Outside a modal (a Home tab), or with dispatch_action, an input's element acts at once.
      const field = ctx.surface === 'modal' && block.dispatch_action !== true;
      const optional = block.optional === true;
      const label = markup`<label class="bk-label">${textPlain(block.label)}${optional ? markup` <small>(optional)</small>` : ''}</label>`;
      const hint =
        block.hint === undefined ? '' : markup`<div class="bk-hint">${textObject(block.hint, ctx)}</div>`;
      return wrap(
        markup`${label}${renderElement(element, { blockId, field, required: !optional }, ctx)}${hint}${errorFor(blockId, ctx)}`,
      );
    }
    case 'rich_text':
      return wrap(richText(block.elements, ctx));
    default:
      return wrap(markup`<span class="bk-unsupported">[${type || 'block'}]</span>`);
  }
};

/** A list of blocks (a message's, a modal's, a Home tab's) as HTML. */
export const renderBlocks = (blocks: readonly unknown[], ctx: BlockContext): Html =>
  joinHtml(blocks.filter(isObject).map((block, i) => renderBlock(block, i, ctx)));
