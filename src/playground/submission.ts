import type { SlackViewObject } from '../slack-stand-in/index.ts';

/** What the page sends for one field: text, one choice, several choices, or nothing. */
export type FieldValue = string | readonly string[] | null;

/** The page's form: block id → action id → value. */
export type FormValues = Readonly<Record<string, Readonly<Record<string, FieldValue>>>>;

/** Choices as the delivery takes them (bare values per action id; a date-time as unix seconds). */
export type Choices = Record<string, Record<string, string | readonly string[] | number | null>>;

export type Submission =
  | {
      readonly ok: true;
      readonly values: Choices;
      /** Block ids whose values were left out because the delivery cannot send their element type. */
      readonly dropped: readonly string[];
    }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>>; readonly message: string };

type Json = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Slack's own words under an empty required field. */
export const REQUIRED = 'Please fill out this field.';

const MULTI = new Set(['multi_static_select', 'multi_external_select', 'multi_users_select', 'checkboxes']);

const empty = (value: FieldValue | number | undefined) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** `2025-03-14T09:05` (a datetime-local value, UTC as the page says) → unix seconds; undefined if malformed. */
export const dateTimeSeconds = (value: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/**
 * Reads a modal's form as Slack's client would before submitting: each input block's element gets the value
 * typed or chosen (empty text and no choice are null, as in Slack), and a required field left empty stops the
 * submission with Slack's message under it — the app never sees it. Values for blocks that are not inputs of
 * this view are refused. Elements of a type not in `deliverable` are left out (and named in `dropped`).
 */
export const readSubmission = (
  view: Pick<SlackViewObject, 'id' | 'blocks'>,
  form: FormValues,
  deliverable: ReadonlySet<string>,
): Submission => {
  const blocks: readonly unknown[] = view.blocks;
  const inputs = blocks.filter(isObject).filter((b) => b.type === 'input' && isObject(b.element));
  const known = new Map(inputs.map((b) => [String(b.block_id), b]));
  const unknown = Object.keys(form).filter((blockId) => !known.has(blockId));
  if (unknown.length > 0)
    return {
      ok: false,
      errors: {},
      message: `view ${view.id} has no input block ${unknown.map((b) => JSON.stringify(b)).join(', ')}`,
    };
  const values: Choices = {};
  const errors: Record<string, string> = {};
  const dropped: string[] = [];
  for (const block of inputs) {
    const blockId = String(block.block_id);
    const element = block.element as Json;
    const type = String(element.type);
    const actionId = String(element.action_id);
    const given = form[blockId]?.[actionId];
    if (!deliverable.has(type)) {
      if (!empty(given)) dropped.push(blockId);
      continue;
    }
    let value: string | readonly string[] | number | null;
    if (MULTI.has(type)) value = given === null || given === undefined ? [] : [given].flat();
    else if (Array.isArray(given)) {
      errors[blockId] = 'Choose one.';
      continue;
    } else value = given === undefined || given === '' ? null : (given as string | null);
    if (type === 'datetimepicker' && typeof value === 'string') {
      const seconds = dateTimeSeconds(value);
      if (seconds === undefined) {
        errors[blockId] = 'Enter a date and a time.';
        continue;
      }
      value = seconds;
    }
    if (block.optional !== true && empty(value)) {
      errors[blockId] = REQUIRED;
      continue;
    }
    (values[blockId] ??= {})[actionId] = value;
  }
  return Object.keys(errors).length > 0
    ? { ok: false, errors, message: 'Some fields need your attention.' }
    : { ok: true, values, dropped };
};
