/**
 * Characters a reader cannot see but a screen or terminal acts on: C0 controls but tab and newline (NUL, ESC
 * that starts colour and cursor codes, a lone CR that overwrites the line), DEL, C1 controls, and the bidi
 * embeddings, overrides, isolates and marks that make text display in another order than it is stored.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Shown in place of each invisible control character, so a reader sees that something was there. */
export const INVISIBLE_PLACEHOLDER = '\uFFFD';

/** User or step text made safe to show: CRLF and CR become newlines, other controls and bidi codes `�`. */
export const visibleText = (text: string): string =>
  text.replace(/\r\n?/g, '\n').replace(INVISIBLE, INVISIBLE_PLACEHOLDER);
