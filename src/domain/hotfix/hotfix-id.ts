/**
 * Hotfix ids are `HF-<n>` (the store allocates them); people type `hf-12`, `hf12` or `12` too. One rule for
 * every place an id is typed: chat commands and the CLI.
 */
const HOTFIX_ID = /^(?:hf-?)?([1-9]\d{0,9})$/i;

/** The canonical id (`HF-12`) for what someone typed, or null when it is not a hotfix id. */
export const normalizeHotfixId = (raw: string): string | null => {
  const m = HOTFIX_ID.exec(raw.trim());
  return m ? `HF-${m[1]}` : null;
};

/** Completes "… is not a hotfix id" wherever one is refused. */
export const HOTFIX_ID_HINT = 'they look like HF-12';
