import type { Masker } from './mask.ts';

/** Step output shown in chat: the end of it, where the error usually is. */
export const OUTPUT_MAX_LINES = 20;
export const OUTPUT_MAX_CHARS = 2000;

/** What a process may print before its head is discarded; far more than chat shows, far less than a log. */
const TAIL_MAX_CHARS = 256 * 1024;

// Colour and cursor codes that CI tools print; chat would show them as garbage.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The last 20 lines (at most 2000 characters) of already masked text, after a `… N earlier lines` marker
 * when anything was left out. `earlierLines` counts lines dropped before the text (see `createOutputTail`).
 */
export const trimOutput = (text: string, earlierLines = 0): string => {
  const clean = text.replace(/\r\n?/g, '\n').trimEnd();
  const lines = clean === '' ? [] : clean.split('\n');
  let kept = lines.slice(-OUTPUT_MAX_LINES);
  let dropped = earlierLines + lines.length - kept.length;
  const size = (parts: readonly string[]) => parts.reduce((sum, line) => sum + line.length + 1, -1);
  while (kept.length > 1 && size(kept) > OUTPUT_MAX_CHARS) {
    kept = kept.slice(1);
    dropped += 1;
  }
  const [only] = kept;
  if (kept.length === 1 && only !== undefined && only.length > OUTPUT_MAX_CHARS)
    kept = [`…${only.slice(-(OUTPUT_MAX_CHARS - 1))}`];
  return dropped > 0 ? [`… ${plural(dropped, 'earlier line')}`, ...kept].join('\n') : kept.join('\n');
};

/**
 * Output as chat shows it: escape codes removed first (one inside a secret would hide it from the masker
 * and vanish afterwards), then masked, then trimmed (so a cut never leaves half a secret unmasked).
 */
export const presentOutput = (text: string, masker: Masker, earlierLines = 0): string =>
  trimOutput(masker.mask(text.replace(ANSI_ESCAPE, '')), earlierLines);

export interface OutputTail {
  append(chunk: string): void;
  /** The kept text and how many whole lines were discarded before it. */
  read(): { readonly text: string; readonly droppedLines: number };
}

/** Collects a process's output in arrival order, discarding whole lines from the head past a bound. */
export const createOutputTail = (maxChars = TAIL_MAX_CHARS): OutputTail => {
  let text = '';
  let droppedLines = 0;
  return {
    append(chunk) {
      text += chunk;
      if (text.length <= maxChars) return;
      const cut = text.indexOf('\n', text.length - maxChars);
      if (cut === -1) {
        text = text.slice(-maxChars);
        return;
      }
      droppedLines += text.slice(0, cut + 1).split('\n').length - 1;
      text = text.slice(cut + 1);
    },
    read: () => ({ text, droppedLines }),
  };
};

/** The first `max` characters, with `…` when there was more. */
export const excerpt = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
