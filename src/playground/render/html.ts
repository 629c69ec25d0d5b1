/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already `Html` (the
 * output of another template or of `raw`), so text from Slack payloads, plans and people can never become
 * markup. Arrays are joined; `undefined`, `null` and `false` render nothing. The tag is `markup`, not
 * `html`, so that Prettier does not reformat the templates (and change the whitespace they produce).
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

const render = (value: HtmlValue): string => {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
};

export const markup = (strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html =>
  new Html(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]) : ''), ''));

/** Markup that is already safe (built here, never from input). */
export const raw = (text: string): Html => new Html(text);

/** `attrs({ 'data-ts': ts, hidden: true })` → ` data-ts="…" hidden`; undefined and false are left out. */
export const attrs = (values: Readonly<Record<string, string | number | boolean | undefined>>): Html =>
  new Html(
    Object.entries(values)
      .filter(([, v]) => v !== undefined && v !== false)
      .map(([name, v]) => (v === true ? ` ${name}` : ` ${name}="${escapeHtml(String(v))}"`))
      .join(''),
  );

export const joinHtml = (items: readonly Html[], separator = ''): Html =>
  new Html(items.map((i) => i.value).join(separator));
