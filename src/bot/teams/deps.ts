import type { Config } from '../../config/load.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { PromptLinks } from '../common/card.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { CommandHandler } from '../../service/handler.ts';
import type { Clock, EventStore } from '../../service/ports.ts';
import type { LockHolder } from '../common/actions.ts';
import type { TeamsActivity } from './activity.ts';

/** Logging as the Teams router uses it (pino's shape). */
export interface TeamsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A message the bot posts, as plain Bot Framework JSON: text, or a card as an attachment. */
// A type, not an interface: the transport takes any JSON record, which an interface is not assignable to.
export type TeamsMessage = {
  readonly type: 'message';
  readonly text?: string;
  readonly textFormat?: 'plain' | 'markdown';
  /** What a notification or the chat list shows for a card. */
  readonly summary?: string;
  readonly attachments?: readonly { readonly contentType: string; readonly content: unknown }[];
};

/** Everything the Teams router needs from the rest of the product; `src/main` wires it. */
export interface TeamsBotDeps {
  readonly handler: Pick<CommandHandler, 'handle' | 'start' | 'state'>;
  readonly store: Pick<EventStore, 'load' | 'listOpen' | 'verify'>;
  /** Read on every use, so a reloaded hotfix.yml applies to the next activity. */
  readonly config: () => Config;
  readonly policy: () => Policy;
  /** Who holds the deploy lock of each of these services (absent when free). */
  readonly lockHolders: (services: readonly string[]) => Promise<Readonly<Record<string, LockHolder>>>;
  /**
   * Claims an activity (by its id) for this process; false when it was claimed before, so a redelivered
   * activity has no second effect. The claim lapses after a short while unless `activityDone` confirms it:
   * a process that died while handling it does not stop Teams' next delivery.
   */
  readonly claimActivity: (key: string) => Promise<boolean>;
  /** The claimed activity was handled: remember it for as long as Teams may deliver it again. */
  readonly activityDone: (key: string) => Promise<void>;
  /**
   * Notes what an activity tells about Teams before it is handled: the Bot Connector it names (when a token
   * vouched for it), a lost hotfix thread whose card was clicked. Its failure is logged, never the activity's.
   */
  readonly learnFrom?: (activity: TeamsActivity) => Promise<void>;
  readonly clock: Clock;
  readonly log: TeamsLog;
  /**
   * Links to the prompts that wait now, for a card drawn for the person who clicked; without it, that card
   * says "in the thread" until the notifier draws it again.
   */
  readonly promptLinks?: (state: HotfixState) => Promise<PromptLinks>;
  /** Posts in the conversation the activity came from: its channel thread, group chat or 1:1 chat. */
  reply(activity: TeamsActivity, message: TeamsMessage): Promise<void>;
}
