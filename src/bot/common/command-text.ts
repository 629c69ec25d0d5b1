import type { HotfixCommand } from '../../domain/hotfix/commands.ts';
import type { Person } from '../../domain/hotfix/people.ts';
import { HOTFIX_ID_HINT, normalizeHotfixId } from '../../domain/hotfix/hotfix-id.ts';
import { planFieldLengthProblem } from '../../domain/hotfix/plan.ts';
import type { PersonRollbackTrigger } from './forms.ts';

/**
 * The text after the command (`/hotfix` in Slack, the `@hotfix` mention in Teams), read into one subcommand.
 * Pure: the edge answers `usage` results privately with the specific problem and its one usage line (`usageReply`),
 * and never reaches the command handler with them.
 */
export type HotfixSubcommand =
  | { readonly kind: 'start'; readonly issueId?: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'status'; readonly hotfixId?: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'edit'; readonly hotfixId: string }
  | { readonly kind: 'issue'; readonly hotfixId: string; readonly text: string }
  | { readonly kind: 'issues'; readonly hotfixId: string }
  | {
      readonly kind: 'issue-resolve';
      readonly hotfixId: string;
      readonly issueId: number;
      readonly note?: string;
    }
  | {
      readonly kind: 'issue-workaround';
      readonly hotfixId: string;
      readonly issueId: number;
      readonly text: string;
    }
  | {
      readonly kind: 'issue-reopen';
      readonly hotfixId: string;
      readonly issueId: number;
      readonly reason?: string;
    }
  | { readonly kind: 'rollback'; readonly hotfixId: string; readonly reason: string }
  | { readonly kind: 'cancel'; readonly hotfixId: string; readonly reason?: string }
  | { readonly kind: 'record'; readonly hotfixId: string }
  | {
      readonly kind: 'usage';
      /** What is missing or wrong, without any usage line. */
      readonly problem: string;
      /** The one usage line to show under it: the subcommand's own when known, else the general one. */
      readonly usage: string;
    };

/** How people invoke the bot: `/hotfix` in Slack, `@hotfix` in Teams; every usage text names it. */
export const SLASH_COMMAND = '/hotfix';

/** One line per subcommand, as help and every usage answer show them. */
export const usageLines = (command: string = SLASH_COMMAND): readonly (readonly [string, string])[] => [
  [`${command} start [issue-id]`, 'plan a new hotfix'],
  [`${command} status [id]`, 'where a hotfix stands (yours, when you name none)'],
  [`${command} list`, 'open hotfixes with their phase and locks'],
  [`${command} edit <id>`, 'change the plan (voids its approvals unless only where it is shown changes)'],
  [`${command} issue <id> <text>`, 'log an issue found during the hotfix'],
  [`${command} issues <id>`, "a hotfix's issues, open and resolved"],
  [`${command} issue resolve <id> <n> [note]`, 'resolve issue n'],
  [`${command} issue workaround <id> <n> <text>`, 'set the workaround of issue n'],
  [`${command} issue reopen <id> <n> [reason]`, 'reopen issue n'],
  [`${command} rollback <id> <reason>`, 'propose a rollback (opens a vote)'],
  [`${command} cancel <id> [reason]`, 'cancel a hotfix that has not deployed'],
  [`${command} record <id>`, 'the deployment record'],
  [`${command} help`, 'this help'],
];

/** The one-line reminder under every usage problem (backticks: code in Slack mrkdwn and Teams markdown). */
export const usageLine = (command: string = SLASH_COMMAND): string =>
  `Usage: \`${command} start|status|list|edit|issue|issues|rollback|cancel|record|help\` (try \`${command} help\`)`;

export const USAGE = usageLines();
export const USAGE_LINE = usageLine();

/** A usage answer as people read it: the problem, then its usage line, so "Usage:" appears once. */
export const usageReply = (sub: { readonly problem: string; readonly usage: string }): string =>
  `${sub.problem}\n${sub.usage}`;

export { normalizeHotfixId };

const MAX_TEXT = 3000;

/** Issue numbers as people type them: `3` or `#3`. */
const ISSUE_NUMBER = /^#?([1-9]\d{0,8})$/;

/** What follows `issue resolve|workaround|reopen`. */
const ISSUE_CHANGES = {
  resolve: { syntax: 'resolve <id> <n> [note]', kind: 'issue-resolve' },
  workaround: { syntax: 'workaround <id> <n> <text>', kind: 'issue-workaround' },
  reopen: { syntax: 'reopen <id> <n> [reason]', kind: 'issue-reopen' },
} as const;
type IssueChange = keyof typeof ISSUE_CHANGES;
const isIssueChange = (word: string): word is IssueChange => Object.hasOwn(ISSUE_CHANGES, word);

export const parseCommandText = (raw: string, command: string = SLASH_COMMAND): HotfixSubcommand => {
  const text = raw.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const sub = word.toLowerCase();
  const restText = text.slice(word.length).trim();
  const usageOf = (syntax: string) => `Usage: \`${command} ${syntax}\``;
  const wrong = (problem: string, usage = usageLine(command)): HotfixSubcommand => ({
    kind: 'usage',
    problem,
    usage,
  });
  const idArg = (usage: string): { id: string; after: string } | HotfixSubcommand => {
    const [first] = rest;
    if (first === undefined) return wrong('Which hotfix?', usage);
    const id = normalizeHotfixId(first);
    if (id === null) return wrong(`\`${first.slice(0, 40)}\` is not a hotfix id (${HOTFIX_ID_HINT}).`, usage);
    return { id, after: restText.slice(first.length).trim() };
  };
  const tooLong = (what: string, value: string, usage: string): HotfixSubcommand | null =>
    value.length > MAX_TEXT
      ? wrong(`The ${what} is ${value.length} characters; keep it under ${MAX_TEXT}.`, usage)
      : null;
  switch (sub) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'start': {
      const issueId = rest.join(' ');
      const tooLongId = planFieldLengthProblem('issueId', issueId);
      if (tooLongId !== null) return wrong(tooLongId, usageOf('start [issue-id]'));
      return issueId === '' ? { kind: 'start' } : { kind: 'start', issueId };
    }
    case 'list':
      return { kind: 'list' };
    case 'status': {
      if (rest.length === 0) return { kind: 'status' };
      const parsed = idArg(usageOf('status [id]'));
      return 'kind' in parsed ? parsed : { kind: 'status', hotfixId: parsed.id };
    }
    case 'edit':
    case 'record': {
      const parsed = idArg(usageOf(`${sub} <id>`));
      return 'kind' in parsed ? parsed : { kind: sub, hotfixId: parsed.id };
    }
    case 'issues': {
      const parsed = idArg(usageOf('issues <id>'));
      return 'kind' in parsed ? parsed : { kind: 'issues', hotfixId: parsed.id };
    }
    case 'issue': {
      const change = rest[0]?.toLowerCase() ?? '';
      if (isIssueChange(change)) {
        const afterChange = restText.slice((rest[0] ?? '').length).trim();
        return parseIssueChange(change, rest.slice(1), afterChange, usageOf, wrong);
      }
      const usage = usageOf('issue <id> <text>');
      const parsed = idArg(usage);
      if ('kind' in parsed) return parsed;
      if (parsed.after === '') return wrong('What is the issue?', usage);
      return (
        tooLong('issue', parsed.after, usage) ?? { kind: 'issue', hotfixId: parsed.id, text: parsed.after }
      );
    }
    case 'rollback': {
      const usage = usageOf('rollback <id> <reason>');
      const parsed = idArg(usage);
      if ('kind' in parsed) return parsed;
      if (parsed.after === '') return wrong('Say why: a rollback needs a reason.', usage);
      return (
        tooLong('reason', parsed.after, usage) ?? {
          kind: 'rollback',
          hotfixId: parsed.id,
          reason: parsed.after,
        }
      );
    }
    case 'cancel': {
      const usage = usageOf('cancel <id> [reason]');
      const parsed = idArg(usage);
      if ('kind' in parsed) return parsed;
      return (
        tooLong('reason', parsed.after, usage) ??
        (parsed.after === ''
          ? { kind: 'cancel', hotfixId: parsed.id }
          : { kind: 'cancel', hotfixId: parsed.id, reason: parsed.after })
      );
    }
    default:
      return wrong(`I don't know \`${command} ${word.slice(0, 40)}\`.`);
  }
};

/** `issue resolve HF-3 2 fixed by the restart`: the hotfix, the issue's number, then the note or text. */
const parseIssueChange = (
  change: IssueChange,
  args: readonly string[],
  /** The text after the change's word, as typed. */
  afterChange: string,
  usageOf: (syntax: string) => string,
  wrong: (problem: string, usage?: string) => HotfixSubcommand,
): HotfixSubcommand => {
  const { syntax, kind } = ISSUE_CHANGES[change];
  const usage = usageOf(`issue ${syntax}`);
  const [rawId, rawNumber] = args;
  if (rawId === undefined) return wrong('Which hotfix?', usage);
  const hotfixId = normalizeHotfixId(rawId);
  if (hotfixId === null)
    return wrong(`\`${rawId.slice(0, 40)}\` is not a hotfix id (they look like HF-12).`, usage);
  if (rawNumber === undefined) return wrong(`Which issue of ${hotfixId}? Give its number.`, usage);
  const number = ISSUE_NUMBER.exec(rawNumber);
  if (number === null)
    return wrong(`\`${rawNumber.slice(0, 40)}\` is not an issue number (they look like 3 or #3).`, usage);
  const issueId = Number(number[1]);
  // The text is what follows the number, as typed (line breaks kept).
  const afterId = afterChange.slice(rawId.length).trim();
  const text = afterId.slice(rawNumber.length).trim();
  if (text.length > MAX_TEXT)
    return wrong(`The text is ${text.length} characters; keep it under ${MAX_TEXT}.`, usage);
  switch (kind) {
    case 'issue-workaround':
      if (text === '') return wrong(`What is the workaround for issue #${issueId}?`, usage);
      return { kind, hotfixId, issueId, text };
    case 'issue-resolve':
      return text === '' ? { kind, hotfixId, issueId } : { kind, hotfixId, issueId, note: text };
    case 'issue-reopen':
      return text === '' ? { kind, hotfixId, issueId } : { kind, hotfixId, issueId, reason: text };
  }
};

/** A typed change to a logged issue. */
export type IssueChangeSubcommand = Extract<
  HotfixSubcommand,
  { kind: 'issue-resolve' | 'issue-workaround' | 'issue-reopen' }
>;

/** The command a typed issue change sends, and what the person hears once it is recorded. */
export const issueChangeCommand = (
  sub: IssueChangeSubcommand,
  by: Person,
): { readonly command: HotfixCommand; readonly done: string } => {
  const { hotfixId, issueId } = sub;
  switch (sub.kind) {
    case 'issue-resolve':
      return {
        command: { type: 'ResolveIssue', by, issueId, ...(sub.note ? { note: sub.note } : {}) },
        done: `✔️ Issue #${issueId} of ${hotfixId} is resolved.`,
      };
    case 'issue-workaround':
      return {
        command: { type: 'SetWorkaround', by, issueId, text: sub.text },
        done: `🩹 Workaround noted for issue #${issueId} of ${hotfixId}.`,
      };
    case 'issue-reopen':
      return {
        command: { type: 'ReopenIssue', by, issueId, ...(sub.reason ? { reason: sub.reason } : {}) },
        done: `🔄 Issue #${issueId} of ${hotfixId} is open again.`,
      };
  }
};

/** `rollback HF-3 data the totals are wrong`: a leading trigger word picks the trigger without the form. */
const TRIGGER_WORDS: Readonly<Record<string, PersonRollbackTrigger>> = {
  critical: 'critical_error',
  error: 'critical_error',
  data: 'data_issue',
  performance: 'performance_problem',
  perf: 'performance_problem',
  business: 'business_impact',
};

/**
 * The trigger and the rest of a rollback's reason when it starts with a trigger word and says more; null
 * when the person should pick the trigger in the form.
 */
export const rollbackTriggerOf = (
  reason: string,
): { readonly trigger: PersonRollbackTrigger; readonly reason: string } | null => {
  const [first = '', ...rest] = reason.split(/\s+/);
  const trigger = Object.hasOwn(TRIGGER_WORDS, first.toLowerCase())
    ? TRIGGER_WORDS[first.toLowerCase()]
    : undefined;
  if (trigger === undefined || rest.length === 0) return null;
  return { trigger, reason: reason.slice(first.length).trim() };
};
