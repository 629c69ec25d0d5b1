import type { Person } from '../../domain/hotfix/people.ts';

/** Cuts `text` to at most `n` characters, ending with '…' when anything was cut (never splits a surrogate pair). */
export const truncate = (text: string, n: number): string => {
  if (text.length <= n) return text;
  if (n <= 0) return '';
  if (n === 1) return '…';
  let end = n - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
};

/** `1 step` / `3 steps`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** An edge's way to put user or config text in its markup: escaped, on one line, cut to `max` characters. */
export type Escape = (text: string, max: number) => string;

/** How an edge writes the pieces of the sentences both edges share, in its markup. */
export interface Inline {
  readonly text: Escape;
  readonly person: (person: Person) => string;
  readonly strong: (markup: string) => string;
  readonly role: (role: string) => string;
}
