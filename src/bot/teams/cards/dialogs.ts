import type { FieldOption, FormField, FormValues } from '../../common/forms.ts';
import { INPUT_MAX } from '../../common/forms.ts';
import { tz, tzOffset } from '@date-fns/tz';
import { parse } from 'date-fns';
import { clockface } from '../../../domain/hotfix/format.ts';
import type { FormId } from '../verbs.ts';
import { VERBS } from '../verbs.ts';
import type { AdaptiveCard, CardElement } from './adaptive.ts';
import { CARD_VERSION, text, TITLE_MAX } from './adaptive.ts';
import { bold, plainText, userText } from './text.ts';

/*
 * Dialogs (task modules) from the shared form fields: the same fields, labels and parsers as Slack's modals.
 * Teams opens one on `task/fetch` and answers its submission on `task/submit`; to keep it open with errors,
 * the bot answers `continue` with the dialog rendered again, `values` as submitted and `errors` under the
 * fields.
 */

/** What a dialog's submit carries besides the inputs: which form, and what it was opened on. */
export interface DialogContext {
  readonly form: FormId;
  readonly hotfixId?: string;
  /** The plan hash the dialog was opened on (edit, reject, cancel): a submission on an older plan is stale. */
  readonly planHash?: string;
  /** The role a rejection is made as. */
  readonly role?: string;
  /** A new hotfix's plan dialog: the key that makes its submission start one hotfix only. */
  readonly requestId?: string;
  /** The logged issue a resolve, workaround or reopen dialog is for. */
  readonly issue?: number;
}

export interface DialogOptions {
  /** The dialog's title bar (the `task/fetch` answer's `title`), plain text. */
  readonly title: string;
  /** Markdown-free text above the fields (what the dialog is about), shown escaped. */
  readonly intro?: string;
  readonly fields: readonly FormField[];
  /** Values to show: a plan's when editing, the submission's when showing errors. */
  readonly values?: FormValues;
  /** A message per field id, shown under that field (the shared parsers' `errors`). */
  readonly errors?: Readonly<Record<string, string>>;
  /** The people a `people` field offers (Teams has no people picker in cards 1.5): value = Entra object id. */
  readonly people?: readonly FieldOption[];
  /** IANA zone the date and time inputs are in (config `timezone`). */
  readonly timezone: string;
  readonly submitTitle: string;
  readonly context: DialogContext;
}

/** A rendered dialog: what `task/fetch` and a `continue` answer carry. */
export interface TeamsDialog {
  readonly title: string;
  readonly card: AdaptiveCard;
}

/** The two inputs of a date-time field: Adaptive Cards have a date input and a time input, no date-time. */
export const dateInputId = (fieldId: string): string => `${fieldId}.date`;
export const timeInputId = (fieldId: string): string => `${fieldId}.time`;

const single = (values: FormValues | undefined, id: string): string | undefined => {
  const v = values?.[id];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : undefined;
};

const inputValue = (value: string | undefined, max: number) =>
  value === undefined || value === '' ? {} : { value: value.slice(0, max) };

const choices = (options: readonly FieldOption[]) =>
  options.map((o) => ({
    title: plainText(o.description ? `${o.label} — ${o.description}` : o.label, 200),
    value: o.value,
  }));

/** `2026-11-26T03:30:00.000Z` → `['2026-11-26', '04:30']` on Paris' wall clock. */
const wallClock = (iso: string | undefined, timezone: string): [string, string] | null => {
  if (!iso || Number.isNaN(Date.parse(iso))) return null;
  const [date, time] = clockface(timezone).minute(iso).split(' ');
  return date && time ? [date, time] : null;
};

const inputsOf = (field: FormField, options: DialogOptions): CardElement[] => {
  const label = plainText(field.label, 200);
  const required = field.required
    ? { isRequired: true, errorMessage: plainText(`${field.label} is required.`, 200) }
    : {};
  const value = single(options.values, field.id);
  const placeholder = field.placeholder ? { placeholder: plainText(field.placeholder, 200) } : {};
  const max = field.maxLength ?? INPUT_MAX;
  switch (field.kind) {
    case 'text':
    case 'multiline':
      return [
        {
          type: 'Input.Text',
          id: field.id,
          label,
          ...required,
          ...placeholder,
          maxLength: max,
          ...(field.kind === 'multiline' ? { isMultiline: true } : {}),
          ...inputValue(value, max),
        },
      ];
    case 'select':
    case 'multi-select':
    case 'people': {
      const offered = field.kind === 'people' ? (options.people ?? []) : (field.options ?? []);
      return [
        {
          type: 'Input.ChoiceSet',
          id: field.id,
          label,
          ...required,
          ...placeholder,
          choices: choices(offered),
          // 1.5's schema knows `compact` and `expanded` (not `filtered`, which came later).
          style: field.expanded ? 'expanded' : 'compact',
          ...(field.kind === 'select' ? {} : { isMultiSelect: true }),
          ...inputValue(value, INPUT_MAX),
        },
      ];
    }
    case 'date-time': {
      const [date, time] = wallClock(value, options.timezone) ?? [undefined, undefined];
      return [
        {
          type: 'Input.Date',
          id: dateInputId(field.id),
          label: plainText(`${field.label} (date, ${options.timezone})`, 200),
          ...required,
          ...inputValue(date, 10),
        },
        {
          type: 'Input.Time',
          id: timeInputId(field.id),
          label: plainText(`${field.label} (time, ${options.timezone})`, 200),
          ...required,
          ...inputValue(time, 5),
        },
      ];
    }
    default: {
      const never: never = field.kind;
      throw new Error(`unknown field kind ${String(never)}`);
    }
  }
};

/**
 * A form as a Teams dialog: a heading where the section changes, each field as its input (labelled, with
 * `isRequired` and an error message the client shows before sending), its hint, and the server's error for
 * it in red underneath when the submission was refused. The submit button carries `context`.
 */
export const renderDialog = (options: DialogOptions): TeamsDialog => {
  const body: CardElement[] = [];
  if (options.intro) body.push(text(userText(options.intro, 1000)));
  const errors = options.errors ?? {};
  const known = new Set(options.fields.map((f) => f.id));
  // An error for no field of this form (a rule the domain refused) goes on top, so it is never lost.
  const general = Object.entries(errors).filter(([id]) => !known.has(id));
  for (const [, message] of general)
    body.push(text(`⚠️ ${userText(message, 500)}`, { color: 'attention', weight: 'bolder' }));
  let section: string | undefined;
  for (const field of options.fields) {
    if (field.divider !== undefined)
      body.push(text(userText(field.divider, 300), { isSubtle: true, separator: true, spacing: 'large' }));
    if (field.section !== section && field.section !== undefined)
      body.push(
        text(bold(userText(field.section, 100, true)), {
          // Right under the divider's note, the heading needs no line of its own.
          ...(field.divider === undefined ? { separator: true } : {}),
          spacing: 'medium',
        }),
      );
    section = field.section;
    body.push(...inputsOf(field, options));
    if (field.hint)
      body.push(text(userText(field.hint, 300), { isSubtle: true, size: 'small', spacing: 'none' }));
    const error = errors[field.id];
    if (error)
      body.push(text(`⚠️ ${userText(error, 500)}`, { color: 'attention', size: 'small', spacing: 'none' }));
  }
  const data = { verb: VERBS.submitForm, ...options.context };
  return {
    title: plainText(options.title, TITLE_MAX),
    card: {
      type: 'AdaptiveCard',
      version: CARD_VERSION,
      body,
      actions: [{ type: 'Action.Submit', title: plainText(options.submitTitle, TITLE_MAX), data }],
    },
  };
};

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * `2026-11-26` + `04:30` on Paris' wall clock → `2026-11-26T03:30:00.000Z`; what the shared parser reads as
 * a date-time. A time without a date, or a date that does not exist (`2026-02-29`), is passed on as it is for
 * the parser to refuse under the field; a missing or malformed time is midnight.
 *
 * Where a DST change makes the wall clock ambiguous it reads as Temporal's `compatible` does, whatever the
 * server's own zone: a time skipped by a spring-forward moves on by the change (Paris 02:30 → 03:30 CEST), a
 * time repeated by a fall-back is its first occurrence (02:30 CEST). TZDate's own constructor picks the
 * occurrence through the server's zone (date-fns/tz#40), so the zone's offsets come from `tzOffset`.
 */
const zonedIso = (date: string, time: string, timezone: string): string => {
  if (!/^\d{4}-\d\d-\d\d$/.test(date)) return date === '' ? time : date;
  const clock = /^\d\d:\d\d$/.test(time) ? time : '00:00';
  // The wall clock's fields as if in UTC, which has no DST to bend them; date-fns refuses a day not in the month.
  const wall = +parse(`${date} ${clock}`, 'yyyy-MM-dd HH:mm', 0, { in: tz('UTC') });
  if (Number.isNaN(wall)) return date;
  const offsetAt = (ms: number) => tzOffset(timezone, new Date(ms)) * MINUTE;
  const before = offsetAt(wall - DAY);
  const after = offsetAt(wall + DAY);
  const readings = [wall - before, wall - after].filter((ms) => ms + offsetAt(ms) === wall);
  return new Date(readings.length > 0 ? Math.min(...readings) : wall - before).toISOString();
};

/**
 * The submitted values of a dialog (`task/submit`'s `data`), as the shared parsers read them: each field by
 * its id, a date-time from its date and time inputs in `timezone`. Anything else in `data` is ignored.
 */
export const dialogValues = (
  fields: readonly FormField[],
  data: Readonly<Record<string, unknown>>,
  timezone: string,
): FormValues => {
  const str = (id: string) => (typeof data[id] === 'string' ? (data[id] as string) : '');
  return Object.fromEntries(
    fields.map((f) => {
      if (f.kind !== 'date-time') return [f.id, str(f.id)];
      const date = str(dateInputId(f.id)).trim();
      const time = str(timeInputId(f.id)).trim();
      return [f.id, date === '' && time === '' ? '' : zonedIso(date, time, timezone)];
    }),
  );
};
