import { problem } from './args.ts';

/**
 * Block Kit limits Slack enforces (PLATFORM.md; node-slack-sdk packages/types/src/block-kit). Slack refuses a
 * surface that breaks one, so the stand-in does too: a renderer that overflows fails in tests, not in production.
 */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  /** Undocumented: Slack answers `msg_blocks_too_long` above roughly this much text across a message's blocks. */
  messageBlocksText: 12_000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  id: 255,
  placeholder: 150,
  checkboxOptions: 10,
  radioOptions: 10,
  selectOptions: 100,
  overflowOptions: 5,
  optionText: 75,
  /** PLATFORM.md marks 75 vs 150 uncertain: the stand-in holds renderers to the safe side. */
  optionValue: 75,
  inputLabel: 2000,
  inputHint: 2000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** views.* answer `view_too_large` above 250 kB of view JSON. */
  viewBytes: 250 * 1024,
} as const;

export type Surface = 'message' | 'modal' | 'home';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Problems {
  readonly list: string[] = [];
  add(message: string, pointer: string) {
    this.list.push(problem(message, pointer));
  }
  maxLength(value: unknown, max: number, pointer: string) {
    if (typeof value === 'string' && value.length > max)
      this.add(`must be less than ${max + 1} characters`, pointer);
  }
  maxItems(value: unknown, max: number, pointer: string) {
    if (Array.isArray(value) && value.length > max) this.add(`must be less than ${max + 1} items`, pointer);
  }
}

/** A text object: `{ type: 'plain_text' | 'mrkdwn', text }` with 1..max characters. */
const checkText = (
  problems: Problems,
  value: unknown,
  max: number,
  pointer: string,
  { plainOnly = false, required = true } = {},
) => {
  if (value === undefined || value === null) {
    if (required) problems.add('must provide a text object', pointer);
    return;
  }
  if (!isObject(value) || (value.type !== 'plain_text' && value.type !== 'mrkdwn')) {
    problems.add('must be a text object', pointer);
    return;
  }
  if (plainOnly && value.type !== 'plain_text')
    problems.add('must be a plain_text object', `${pointer}/type`);
  if (typeof value.text !== 'string' || value.text.length === 0) {
    problems.add('must be more than 0 characters', `${pointer}/text`);
    return;
  }
  problems.maxLength(value.text, max, `${pointer}/text`);
};

const checkOptions = (problems: Problems, options: unknown, max: number, pointer: string) => {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    problems.add('must be an array', pointer);
    return;
  }
  problems.maxItems(options, max, pointer);
  options.forEach((option: unknown, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(option)) {
      problems.add('must be an option object', at);
      return;
    }
    checkText(problems, option.text, LIMITS.optionText, `${at}/text`);
    problems.maxLength(option.value, LIMITS.optionValue, `${at}/value`);
  });
};

const checkElement = (problems: Problems, element: unknown, pointer: string, actionIds: Set<string>) => {
  if (!isObject(element) || typeof element.type !== 'string') {
    problems.add('must be an element object', pointer);
    return;
  }
  if (element.action_id !== undefined) {
    if (typeof element.action_id !== 'string') problems.add('must be a string', `${pointer}/action_id`);
    else {
      problems.maxLength(element.action_id, LIMITS.id, `${pointer}/action_id`);
      if (actionIds.has(element.action_id)) problems.add('action_id must be unique in the block', pointer);
      actionIds.add(element.action_id);
    }
  }
  if (element.placeholder !== undefined)
    checkText(problems, element.placeholder, LIMITS.placeholder, `${pointer}/placeholder`, {
      plainOnly: true,
    });
  switch (element.type) {
    case 'button':
      checkText(problems, element.text, LIMITS.buttonText, `${pointer}/text`, { plainOnly: true });
      problems.maxLength(element.value, LIMITS.buttonValue, `${pointer}/value`);
      problems.maxLength(element.url, LIMITS.url, `${pointer}/url`);
      break;
    case 'checkboxes':
      checkOptions(problems, element.options, LIMITS.checkboxOptions, `${pointer}/options`);
      break;
    case 'radio_buttons':
      checkOptions(problems, element.options, LIMITS.radioOptions, `${pointer}/options`);
      break;
    case 'overflow':
      checkOptions(problems, element.options, LIMITS.overflowOptions, `${pointer}/options`);
      break;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(problems, element.options, LIMITS.selectOptions, `${pointer}/options`);
      if (Array.isArray(element.option_groups))
        element.option_groups.forEach((group: unknown, i) => {
          if (isObject(group))
            checkOptions(
              problems,
              group.options,
              LIMITS.selectOptions,
              `${pointer}/option_groups/${i}/options`,
            );
        });
      break;
  }
};

const checkBlock = (problems: Problems, block: Json, pointer: string) => {
  const actionIds = new Set<string>();
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined)
        problems.add('must provide either text or fields', pointer);
      if (block.text !== undefined) checkText(problems, block.text, LIMITS.sectionText, `${pointer}/text`);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) problems.add('must be an array', `${pointer}/fields`);
        else {
          problems.maxItems(block.fields, LIMITS.sectionFields, `${pointer}/fields`);
          block.fields.forEach((field: unknown, i) =>
            checkText(problems, field, LIMITS.sectionFieldText, `${pointer}/fields/${i}`),
          );
        }
      }
      if (block.accessory !== undefined)
        checkElement(problems, block.accessory, `${pointer}/accessory`, actionIds);
      break;
    case 'header':
      checkText(problems, block.text, LIMITS.headerText, `${pointer}/text`, { plainOnly: true });
      break;
    case 'context':
    case 'actions': {
      const max = block.type === 'context' ? LIMITS.contextElements : LIMITS.actionsElements;
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        problems.add('must provide at least one element', `${pointer}/elements`);
        break;
      }
      problems.maxItems(block.elements, max, `${pointer}/elements`);
      if (block.type === 'actions')
        block.elements.forEach((element: unknown, i) =>
          checkElement(problems, element, `${pointer}/elements/${i}`, actionIds),
        );
      break;
    }
    case 'input':
      checkText(problems, block.label, LIMITS.inputLabel, `${pointer}/label`, { plainOnly: true });
      if (block.hint !== undefined)
        checkText(problems, block.hint, LIMITS.inputHint, `${pointer}/hint`, { plainOnly: true });
      if (block.element === undefined) problems.add('must provide an element', `${pointer}/element`);
      else checkElement(problems, block.element, `${pointer}/element`, actionIds);
      break;
  }
};

/**
 * Checks a blocks array against Slack's limits for `surface`; returns Slack-style messages, none when valid.
 * `basePointer` is the array's JSON pointer (`/blocks`, `/view/blocks`).
 */
export const checkBlocks = (
  blocks: readonly unknown[],
  surface: Surface,
  basePointer = '/blocks',
): string[] => {
  const problems = new Problems();
  problems.maxItems(blocks, surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks, basePointer);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const pointer = `${basePointer}/${i}`;
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.add('must be a block object with a type', pointer);
      return;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string') problems.add('must be a string', `${pointer}/block_id`);
      else {
        problems.maxLength(block.block_id, LIMITS.id, `${pointer}/block_id`);
        if (blockIds.has(block.block_id)) problems.add('block_id must be unique', `${pointer}/block_id`);
        blockIds.add(block.block_id);
      }
    }
    checkBlock(problems, block, pointer);
  });
  return problems.list;
};

/** The total length of every `text` string inside `value`: what `msg_blocks_too_long` counts (approximately). */
export const blockTextLength = (value: unknown): number => {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blockTextLength(item), 0);
  if (!isObject(value)) return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value))
    sum += key === 'text' && typeof item === 'string' ? item.length : blockTextLength(item);
  return sum;
};

/** Checks a view's own fields (title, buttons, metadata, ids) and its blocks. */
export const checkView = (view: Json, surface: 'modal' | 'home'): string[] => {
  const problems = new Problems();
  if (surface === 'modal') {
    checkText(problems, view.title, LIMITS.viewTitle, '/view/title', { plainOnly: true });
    checkText(problems, view.submit, LIMITS.viewButton, '/view/submit', { plainOnly: true, required: false });
    checkText(problems, view.close, LIMITS.viewButton, '/view/close', { plainOnly: true, required: false });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && (view.submit === undefined || view.submit === null))
      problems.add('must provide a submit property when using input blocks', '/view');
  }
  problems.maxLength(view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
  problems.maxLength(view.callback_id, LIMITS.callbackId, '/view/callback_id');
  problems.maxLength(view.external_id, LIMITS.id, '/view/external_id');
  if (!Array.isArray(view.blocks))
    return [...problems.list, problem('must provide an array', '/view/blocks')];
  return [...problems.list, ...checkBlocks(view.blocks, surface, '/view/blocks')];
};
