/**
 * The text after `/hotfix`, read into one subcommand. Pure: the listener answers `usage` results privately
 * with the specific problem and the usage line, and never reaches the command handler with them.
 */
export type HotfixSubcommand =
  | { readonly kind: 'start'; readonly issueId?: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'status'; readonly hotfixId?: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'edit'; readonly hotfixId: string }
  | { readonly kind: 'issue'; readonly hotfixId: string; readonly text: string }
  | { readonly kind: 'rollback'; readonly hotfixId: string; readonly reason: string }
  | { readonly kind: 'cancel'; readonly hotfixId: string; readonly reason?: string }
  | { readonly kind: 'record'; readonly hotfixId: string }
  | { readonly kind: 'usage'; readonly problem: string };

/** One line per subcommand, as `/hotfix help` and every usage answer show them. */
export const USAGE: readonly (readonly [string, string])[] = [
  ['/hotfix start [issue-id]', 'plan a new hotfix'],
  ['/hotfix status [id]', 'where a hotfix stands (yours, when you name none)'],
  ['/hotfix list', 'open hotfixes with their phase and locks'],
  ['/hotfix edit <id>', 'change the plan (voids its approvals)'],
  ['/hotfix issue <id> <text>', 'log an issue found during the hotfix'],
  ['/hotfix rollback <id> <reason>', 'propose a rollback (opens a vote)'],
  ['/hotfix cancel <id> [reason]', 'cancel a hotfix that has not deployed'],
  ['/hotfix record <id>', 'the deployment record'],
  ['/hotfix help', 'this help'],
];

export const USAGE_LINE =
  'Usage: `/hotfix start|status|list|edit|issue|rollback|cancel|record|help` (try `/hotfix help`)';

/** Hotfix ids are `HF-<n>`; people type `hf-12` or `12` too. */
const HOTFIX_ID = /^(?:hf-?)?([1-9]\d{0,9})$/i;
export const normalizeHotfixId = (raw: string): string | null => {
  const m = HOTFIX_ID.exec(raw.trim());
  return m ? `HF-${m[1]}` : null;
};

const MAX_TEXT = 3000;

export const parseCommandText = (raw: string): HotfixSubcommand => {
  const text = raw.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const sub = word.toLowerCase();
  const restText = text.slice(word.length).trim();
  const idArg = (usage: string): { id: string; after: string } | HotfixSubcommand => {
    const [first] = rest;
    if (first === undefined) return { kind: 'usage', problem: `Which hotfix? ${usage}` };
    const id = normalizeHotfixId(first);
    if (id === null)
      return {
        kind: 'usage',
        problem: `\`${first.slice(0, 40)}\` is not a hotfix id (they look like HF-12). ${usage}`,
      };
    return { id, after: restText.slice(first.length).trim() };
  };
  const tooLong = (what: string, value: string): HotfixSubcommand | null =>
    value.length > MAX_TEXT
      ? { kind: 'usage', problem: `The ${what} is ${value.length} characters; keep it under ${MAX_TEXT}.` }
      : null;
  switch (sub) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'start': {
      const issueId = rest.join(' ');
      if (issueId.length > 80) return { kind: 'usage', problem: 'An issue id is at most 80 characters.' };
      return issueId === '' ? { kind: 'start' } : { kind: 'start', issueId };
    }
    case 'list':
      return { kind: 'list' };
    case 'status': {
      if (rest.length === 0) return { kind: 'status' };
      const parsed = idArg('Usage: `/hotfix status [id]`');
      return 'kind' in parsed ? parsed : { kind: 'status', hotfixId: parsed.id };
    }
    case 'edit':
    case 'record': {
      const parsed = idArg(`Usage: \`/hotfix ${sub} <id>\``);
      return 'kind' in parsed ? parsed : { kind: sub, hotfixId: parsed.id };
    }
    case 'issue': {
      const parsed = idArg('Usage: `/hotfix issue <id> <text>`');
      if ('kind' in parsed) return parsed;
      if (parsed.after === '')
        return { kind: 'usage', problem: 'What is the issue? Usage: `/hotfix issue <id> <text>`' };
      return tooLong('issue', parsed.after) ?? { kind: 'issue', hotfixId: parsed.id, text: parsed.after };
    }
    case 'rollback': {
      const parsed = idArg('Usage: `/hotfix rollback <id> <reason>`');
      if ('kind' in parsed) return parsed;
      if (parsed.after === '')
        return {
          kind: 'usage',
          problem: 'Say why: a rollback needs a reason. Usage: `/hotfix rollback <id> <reason>`',
        };
      return (
        tooLong('reason', parsed.after) ?? { kind: 'rollback', hotfixId: parsed.id, reason: parsed.after }
      );
    }
    case 'cancel': {
      const parsed = idArg('Usage: `/hotfix cancel <id> [reason]`');
      if ('kind' in parsed) return parsed;
      return (
        tooLong('reason', parsed.after) ??
        (parsed.after === ''
          ? { kind: 'cancel', hotfixId: parsed.id }
          : { kind: 'cancel', hotfixId: parsed.id, reason: parsed.after })
      );
    }
    default:
      return { kind: 'usage', problem: `I don't know \`/hotfix ${word.slice(0, 40)}\`.` };
  }
};
