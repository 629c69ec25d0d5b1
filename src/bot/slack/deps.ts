import type { Config } from '../../config/load.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { PromptLinks } from '../common/card.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { CommandHandler } from '../../service/handler.ts';
import type { Clock, EventStore } from '../../service/ports.ts';
import type { LockHolder } from './blocks/card.ts';

/** Logging as the bot uses it (pino's shape). */
export interface BotLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Everything the Slack bot needs from the rest of the product; `src/main` wires it. */
export interface BotDeps {
  readonly handler: Pick<CommandHandler, 'handle' | 'start' | 'state'>;
  readonly store: Pick<EventStore, 'load' | 'listOpen' | 'verify'>;
  /** Read on every use, so a reloaded hotfix.yml applies to the next interaction. */
  readonly config: () => Config;
  readonly policy: () => Policy;
  /** Who holds the deploy lock of each of these services (absent when free). */
  readonly lockHolders: (services: readonly string[]) => Promise<Readonly<Record<string, LockHolder>>>;
  /**
   * Claims a delivery (Slack's trigger id or event id) for this process; false when it was claimed before,
   * so a retried delivery has no second effect. A claim lapses after a short while unless `deliveryDone`
   * confirms it: a process that died while handling a delivery does not stop Slack's later retry.
   */
  readonly claimDelivery: (key: string) => Promise<boolean>;
  /** The claimed delivery was handled: remember it for as long as Slack may retry it. */
  readonly deliveryDone: (key: string) => Promise<void>;
  readonly clock: Clock;
  readonly log: BotLog;
  /**
   * The permalinks the notifier found for the prompts that wait now (a card drawn for a person, such as
   * `/hotfix status`, links to them too). Without it, such a card says "in the thread".
   */
  readonly promptLinks?: (state: HotfixState) => Promise<PromptLinks>;
}
