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

/**
 * Cuts `text` to at most `n` characters in the middle, keeping its start and its end: an automatic check's
 * evidence (`./scripts/check-access.sh exited 0`, `GET https://… → 200`) keeps what ran and its verdict.
 */
export const truncateMiddle = (text: string, n: number): string => {
  if (text.length <= n) return text;
  if (n <= 1) return truncate(text, n);
  const highSurrogate = (at: number) => {
    const c = text.charCodeAt(at);
    return c >= 0xd800 && c <= 0xdbff;
  };
  let head = Math.floor((n - 1) / 2);
  if (head > 0 && highSurrogate(head - 1)) head -= 1;
  let tail = text.length - (n - 1 - head);
  if (tail > 0 && highSurrogate(tail - 1)) tail += 1;
  return `${text.slice(0, head).trimEnd()}…${text.slice(tail).trimStart()}`;
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
