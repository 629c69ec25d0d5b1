import type { HotfixCommand } from '../../domain/hotfix/commands.ts';
import { cancelRefusal } from '../../domain/hotfix/decide/plan.ts';
import type { RuleCode } from '../../domain/hotfix/errors.ts';
import { RuleViolation } from '../../domain/hotfix/errors.ts';
import type { Person } from '../../domain/hotfix/people.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { CommandHandler, Handled } from '../../service/handler.ts';
import { ConcurrencyError } from '../../service/handler.ts';
import { INTERNAL_ERROR } from './wording.ts';

/** How an edge words what the person hears when nothing changed (each edge escapes for its markup). */
export interface NoticeWording {
  readonly refusal: (code: RuleCode, message: string) => string;
  readonly repeat: (hotfixId: string, command: HotfixCommand) => string;
  /** The log line of a command that failed on our side. */
  readonly failureLog: string;
}

/** What a command came to: recorded, or the reason nothing changed (a refusal, a repeat), for the person. */
export type CommandOutcome =
  | { readonly recorded: true; readonly handled: Handled }
  | { readonly recorded: false; readonly notice: string };

/** The text for a command that threw: the domain's reason, a conflict to retry, or a generic line (logged). */
export const explainFailure = (
  log: { error(obj: object, msg: string): void },
  wording: NoticeWording,
  hotfixId: string,
  command: Pick<HotfixCommand, 'type'>,
  error: unknown,
): string => {
  if (error instanceof RuleViolation) return wording.refusal(error.code, error.message);
  if (error instanceof ConcurrencyError) return `⏳ ${error.message}`;
  log.error({ hotfixId, command: command.type, err: String(error) }, wording.failureLog);
  return INTERNAL_ERROR;
};

/** Runs one command through the command handler; a refusal or a repeat comes back as the person's notice. */
export const runCommand = async (
  deps: {
    readonly handler: Pick<CommandHandler, 'handle'>;
    readonly log: { error(obj: object, msg: string): void };
  },
  wording: NoticeWording,
  hotfixId: string,
  command: HotfixCommand,
): Promise<CommandOutcome> => {
  try {
    const handled = await deps.handler.handle(hotfixId, command);
    if (handled.events.length === 0) return { recorded: false, notice: wording.repeat(hotfixId, command) };
    return { recorded: true, handled };
  } catch (error) {
    return { recorded: false, notice: explainFailure(deps.log, wording, hotfixId, command, error) };
  }
};

/**
 * What to say instead of offering the cancel form, or null to offer it: the domain's refusal (a closed or
 * deployed hotfix, a person with no role) or that it is already cancelled, as the submitted form would hear.
 */
export const cancelFormNotice = (
  wording: NoticeWording,
  state: HotfixState,
  by: Person,
  policy: Policy,
): string | null => {
  if (state.phase === 'cancelled') return wording.repeat(state.id, { type: 'CancelHotfix', by, reason: '' });
  const refusal = cancelRefusal(state, by, policy);
  return refusal === null ? null : wording.refusal(refusal.code, refusal.message);
};
